import { randomBytes } from 'node:crypto';

/** Xauth family that matches any host: the entry is found whatever name the client uses for localhost. */
const FAMILY_WILD = 0xffff;
export const MIT_MAGIC_COOKIE = 'MIT-MAGIC-COOKIE-1';

/** A fresh MIT-MAGIC-COOKIE-1: 16 random bytes. */
export function newCookie(): Buffer {
  return randomBytes(16);
}

function counted(data: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(data.length);
  return Buffer.concat([len, data]);
}

/**
 * One Xauthority record (the format libXau reads, see Xau/AuWrite.c): family, then address, display
 * number, auth name and auth data, each a big-endian 16-bit length and its bytes. Xvfb -auth loads it
 * as the one cookie it accepts; every client given it as XAUTHORITY sends it.
 */
export function xauthorityEntry(display: number, cookie: Buffer): Buffer {
  const family = Buffer.alloc(2);
  family.writeUInt16BE(FAMILY_WILD);
  return Buffer.concat([
    family,
    counted(Buffer.alloc(0)),
    counted(Buffer.from(String(display))),
    counted(Buffer.from(MIT_MAGIC_COOKIE)),
    counted(cookie),
  ]);
}

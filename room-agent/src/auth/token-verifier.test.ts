import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier, tokenFromRequest } from './token-verifier.js';

const pair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    pub: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};

describe('TokenVerifier', () => {
  const good = pair();
  const other = pair();
  let verifier: TokenVerifier;

  const sign = async (
    claims: Record<string, unknown>,
    opts: { key?: string; alg?: string; exp?: number; aud?: string } = {},
  ): Promise<string> => {
    const key = await importPKCS8(opts.key ?? good.priv, 'EdDSA');
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ room: 'r1', role: 'participant', name: 'Ann', ...claims })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('boxroom')
      .setSubject('p1')
      .setIssuedAt(now)
      .setExpirationTime(opts.exp ?? now + 60);
    if (opts.aud) jwt.setAudience(opts.aud);
    return jwt.sign(key);
  };

  beforeAll(async () => {
    verifier = await TokenVerifier.fromPem(good.pub, 'r1');
  });

  it("accepts the dashboard's own tokens (aud boxroom-agent) for this room, and no other audience", async () => {
    const claims = await verifier.verify(await sign({ role: 'operator', aud: 'boxroom-agent' }));
    expect(claims.aud).toBe('boxroom-agent');
    await expect(
      verifier.verify(await sign({ role: 'operator', aud: 'boxroom-agent', room: 'r2' })),
    ).rejects.toThrow('another room');
    await expect(verifier.verify(await sign({ aud: 'elsewhere' }))).rejects.toThrow('invalid token claims');
  });

  it('accepts a token signed by the dashboard key for this room', async () => {
    const claims = await verifier.verify(await sign({}));
    expect(claims).toMatchObject({ sub: 'p1', room: 'r1', role: 'participant', name: 'Ann', iss: 'boxroom' });
  });

  it("accepts the dashboard's agent-call tokens (aud boxroom-agent) and says so in the claims", async () => {
    const claims = await verifier.verify(await sign({ role: 'operator' }, { aud: 'boxroom-agent' }));
    expect(claims).toMatchObject({ room: 'r1', role: 'operator', aud: 'boxroom-agent' });
    expect((await verifier.verify(await sign({}))).aud).toBeUndefined();
  });

  it('refuses an agent-call token of another room, and any other audience', async () => {
    await expect(verifier.verify(await sign({ room: 'r2' }, { aud: 'boxroom-agent' }))).rejects.toThrow(
      'another room',
    );
    await expect(verifier.verify(await sign({}, { aud: 'elsewhere' }))).rejects.toThrow(
      'invalid token claims',
    );
  });

  it('refuses a missing token', async () => {
    await expect(verifier.verify(undefined)).rejects.toThrow('missing token');
  });

  it('refuses a token signed by another key', async () => {
    await expect(verifier.verify(await sign({}, { key: other.priv }))).rejects.toThrow('invalid token');
  });

  it('refuses an expired token', async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    await expect(verifier.verify(await sign({}, { exp: past }))).rejects.toThrow('token expired');
  });

  it('refuses a token for another room', async () => {
    await expect(verifier.verify(await sign({ room: 'r2' }))).rejects.toThrow('another room');
  });

  it('refuses unknown roles and tampered payloads', async () => {
    await expect(verifier.verify(await sign({ role: 'admin' }))).rejects.toThrow('invalid token claims');
    const t = await sign({});
    const [h, , s] = t.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        iss: 'boxroom',
        sub: 'p1',
        room: 'r1',
        role: 'operator',
        name: 'x',
        iat: 1,
        exp: 9e9,
      }),
    ).toString('base64url');
    await expect(verifier.verify(`${h}.${forged}.${s}`)).rejects.toThrow('invalid token');
  });

  it('refuses alg none', async () => {
    const body = Buffer.from(
      JSON.stringify({ iss: 'boxroom', sub: 'p', room: 'r1', role: 'operator', name: '', iat: 1, exp: 9e9 }),
    ).toString('base64url');
    const head = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    await expect(verifier.verify(`${head}.${body}.`)).rejects.toThrow('invalid token');
  });
});

describe('tokenFromRequest', () => {
  it('prefers the bearer header, then the query', () => {
    expect(tokenFromRequest({ authorization: 'Bearer abc' }, { token: 'q' })).toBe('abc');
    expect(tokenFromRequest({}, { token: 'q' })).toBe('q');
    expect(tokenFromRequest({}, {})).toBeNull();
    expect(tokenFromRequest({ authorization: 'Basic x' }, { token: ['a'] })).toBeNull();
  });
});

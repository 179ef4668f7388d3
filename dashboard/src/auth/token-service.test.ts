import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, importPKCS8, importSPKI, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { TokenService } from './token-service.js';

const pair = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    pub: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
};

const subject = { sub: 'p1', room: 'abcdefghij', role: 'participant' as const, name: 'Ann' };

describe('TokenService', () => {
  const keys = pair();

  it('issues EdDSA tokens with exactly the contract claims', async () => {
    const svc = await TokenService.fromPem(keys.priv, keys.pub, 3600, () => 1000);
    const { token, claims } = await svc.issue(subject);
    expect(decodeProtectedHeader(token).alg).toBe('EdDSA');
    expect(claims).toEqual({ iss: 'boxroom', ...subject, iat: 1000, exp: 4600 });
    const verifier = await TokenService.fromPem(keys.priv, keys.pub, 3600, () => 2000);
    expect(await verifier.verify(token)).toEqual(claims);
    expect(await verifier.verify(token, 'abcdefghij')).toEqual(claims);
  });

  it('refuses expired tokens', async () => {
    const svc = await TokenService.fromPem(keys.priv, keys.pub, 60, () => 1000);
    const { token } = await svc.issue(subject);
    const later = await TokenService.fromPem(keys.priv, keys.pub, 60, () => 1061);
    await expect(later.verify(token)).rejects.toThrow('token expired');
  });

  it('refuses tokens signed with another key', async () => {
    const other = pair();
    const forger = await TokenService.fromPem(other.priv, other.pub, 60);
    const svc = await TokenService.fromPem(keys.priv, keys.pub, 60);
    const { token } = await forger.issue({ ...subject, role: 'operator' });
    await expect(svc.verify(token)).rejects.toMatchObject({ code: 'unauthorized', message: 'invalid token' });
  });

  it('refuses a token for another room with forbidden', async () => {
    const svc = await TokenService.fromPem(keys.priv, keys.pub, 60);
    const { token } = await svc.issue(subject);
    await expect(svc.verify(token, 'zzzzzzzzzz')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('refuses garbage, tampering and huge tokens', async () => {
    const svc = await TokenService.fromPem(keys.priv, keys.pub, 60);
    const { token } = await svc.issue(subject);
    const [h, , s] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...subject, role: 'operator', iss: 'boxroom', iat: 1, exp: 9e9 }),
    ).toString('base64url');
    for (const bad of ['', 'x', 'a.b.c', `${h}.${forged}.${s}`, 'x'.repeat(5000)]) {
      await expect(svc.verify(bad)).rejects.toBeInstanceOf(AppError);
    }
  });

  it('agent-call tokens carry the agent audience, live 60 s, and the dashboard refuses them', async () => {
    const svc = await TokenService.fromPem(keys.priv, keys.pub, 3600, () => 1000);
    const token = await svc.issueForAgent({ ...subject, role: 'operator' });
    expect(decodeJwt(token)).toEqual({
      iss: 'boxroom',
      ...subject,
      role: 'operator',
      aud: 'boxroom-agent',
      iat: 1000,
      exp: 1060,
    });
    // an agent (public key only, no audience option) accepts it
    const { payload } = await jwtVerify(token, await importSPKI(keys.pub, 'EdDSA'), {
      currentDate: new Date(1_000_000),
    });
    expect(payload.aud).toBe('boxroom-agent');
    for (const room of [undefined, 'abcdefghij', 'zzzzzzzzzz']) {
      await expect(svc.verify(token, room)).rejects.toMatchObject({
        code: 'unauthorized',
        message: 'this token is for room agents only; the dashboard does not accept it',
      });
    }
  });

  it('refuses any other audience as malformed', async () => {
    const svc = await TokenService.fromPem(keys.priv, keys.pub, 60);
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ room: subject.room, role: 'viewer', name: 'x' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('boxroom')
      .setSubject('p1')
      .setAudience('elsewhere')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(await importPKCS8(keys.priv, 'EdDSA'));
    await expect(svc.verify(token)).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

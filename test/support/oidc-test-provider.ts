import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ProviderAccount } from 'oidc-provider';

/** A person the test provider knows: any login signs in (dev interactions), these get claims. */
export interface TestPerson {
  name: string;
  email: string;
  groups: string[];
}

export interface TestProvider {
  /** the issuer URL (http on loopback) */
  readonly issuer: string;
  close(): Promise<void>;
}

/**
 * A real, certified OpenID provider (oidc-provider) in the test's process, on loopback. Its dev
 * interactions let a browser sign in as any login with any password; `people` gives the claims (a
 * login not listed has none: no groups). One confidential client, redirecting to `redirectUri`.
 */
export async function startTestProvider(o: {
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  people: Record<string, TestPerson>;
}): Promise<TestProvider> {
  const issuer = `http://127.0.0.1:${o.port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: o.clientId,
        client_secret: o.clientSecret,
        redirect_uris: [o.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email'], groups: ['groups'] },
    cookies: { keys: ['boxroom-test-provider-cookie-key'] },
    pkce: { required: () => true },
    findAccount: (_ctx: unknown, id: string): ProviderAccount => ({
      accountId: id,
      claims: () => ({ sub: id, ...(o.people[id] ?? { name: id }) }),
    }),
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  return {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

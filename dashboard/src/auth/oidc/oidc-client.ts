import * as client from 'openid-client';
import type { OidcConfig } from '../../oidc-settings.js';
import type { Logger } from '../../logger.js';
import type { OidcFlow } from './flow-cookie.js';

/**
 * The provider, through openid-client: discovery (once it succeeds; a provider that was down at start
 * is asked again at the next sign-in), the authorization URL of a new flow, and the code exchange
 * (ID token signature, issuer, audience, nonce, state and PKCE checked by the library). The one
 * module that imports openid-client.
 */
export class OidcClient {
  private discovered: Promise<client.Configuration> | null = null;

  constructor(
    private readonly config: OidcConfig,
    /** read from BOXROOM_OIDC_CLIENT_SECRET or its _FILE by the composition root; never logged */
    private readonly clientSecret: string | null,
    private readonly log: Logger,
  ) {}

  newFlow(): OidcFlow {
    return {
      verifier: client.randomPKCECodeVerifier(),
      state: client.randomState(),
      nonce: client.randomNonce(),
    };
  }

  async authorizationUrl(flow: OidcFlow): Promise<URL> {
    return client.buildAuthorizationUrl(await this.configuration(), {
      redirect_uri: this.config.redirectUri,
      scope: this.config.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
  }

  /**
   * The claims of the person the provider sent back (`query`: the callback's query string): the ID
   * token's and userinfo's (many providers keep the scopes' claims, groups among them, there only;
   * its subject must be the ID token's). Throws when anything does not check out.
   */
  async finish(query: string, flow: OidcFlow): Promise<Record<string, unknown>> {
    const config = await this.configuration();
    const current = new URL(this.config.redirectUri);
    current.search = query;
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const claims: Record<string, unknown> = { ...tokens.claims() };
    if (!config.serverMetadata().userinfo_endpoint) return claims;
    const info = await client.fetchUserInfo(config, tokens.access_token, String(claims.sub));
    return { ...claims, ...info };
  }

  private configuration(): Promise<client.Configuration> {
    this.discovered ??= this.discover().catch((err: unknown) => {
      this.discovered = null;
      throw err;
    });
    return this.discovered;
  }

  private async discover(): Promise<client.Configuration> {
    const issuer = new URL(this.config.issuer);
    const auth = this.clientSecret ? client.ClientSecretBasic(this.clientSecret) : client.None();
    // http:// only where the operator configured it so (a provider on the same host or a test)
    const insecure = issuer.protocol === 'http:';
    if (insecure) this.log.warn({ issuer: issuer.origin }, 'OpenID provider over plain http');
    const config = await client.discovery(
      issuer,
      this.config.clientId,
      undefined,
      auth,
      insecure ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    this.log.info({ issuer: config.serverMetadata().issuer }, 'OpenID provider discovered');
    return config;
  }
}

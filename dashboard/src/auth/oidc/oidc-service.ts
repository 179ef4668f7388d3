import { createHash } from 'node:crypto';
import type { AccountRef, OidcSignIn } from '@boxroom/contracts';
import type { OidcConfig } from '../../oidc-settings.js';
import { AppError, errors } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { AccountService, SignedInPerson } from '../account-service.js';
import type { FlowCookies, OidcFlow } from './flow-cookie.js';
import type { OidcClient } from './oidc-client.js';
import { roleFor } from './role-mapping.js';

export interface OidcServiceDeps {
  config: OidcConfig;
  client: OidcClient;
  flows: FlowCookies;
  accounts: AccountService;
  log: Logger;
}

/**
 * Operator sign-in with OpenID Connect: `begin` sends the browser to the provider with a new flow
 * (PKCE, state, nonce) sealed in a cookie; `finish` checks what the provider sent back, maps the
 * claims to a role and makes or updates the account. `finish` is the one place a sign-in succeeds
 * or is refused.
 */
export class OidcService {
  constructor(private readonly d: OidcServiceDeps) {}

  info(): OidcSignIn {
    return { enabled: true, name: this.d.config.name, loginUrl: '/api/auth/oidc/login' };
  }

  /** Where to send the browser, and the flow cookie to set on the way. */
  async begin(): Promise<{ location: string; flowCookie: string }> {
    const flow = this.d.client.newFlow();
    const url = await this.d.client.authorizationUrl(flow).catch((err: unknown) => {
      throw providerDown(err);
    });
    return { location: url.href, flowCookie: this.d.flows.seal(flow) };
  }

  /**
   * The sign-in this browser started here (its flow cookie, sealed by begin), or null: a callback
   * without one is nobody's sign-in (expired, tampered with, or not started here) and is answered
   * without looking at anything else it carries.
   */
  openFlow(flowCookie: string | undefined): OidcFlow | null {
    return this.d.flows.open(flowCookie);
  }

  /**
   * The account the provider vouched for (`query`: the callback's query string) in the flow `flow`
   * (openFlow's). Throws an AppError whose message tells the person why: the provider refused, its
   * answer did not check out, or no role rule matches them; a refusal by the provider carries its
   * OAuth error code (`providerError`) for the audit trail, never its free text.
   */
  async finish(query: string, flow: OidcFlow): Promise<AccountRef> {
    const params = new URLSearchParams(query);
    const denied = params.get('error');
    if (denied) {
      const why = (params.get('error_description') ?? denied).slice(0, 200);
      throw Object.assign(errors.forbidden(`the identity provider did not sign you in: ${why}`), {
        providerError: /^[a-z_]{1,40}$/.test(denied) ? denied : 'other',
      });
    }
    let claims: Record<string, unknown>;
    try {
      claims = await this.d.client.finish(query, flow);
    } catch (err) {
      if (isNetworkError(err)) throw providerDown(err);
      throw new AppError('bad_request', "the identity provider's answer did not check out: sign in again", {
        cause: err,
      });
    }
    const person = this.personOf(claims);
    if (!person) {
      this.d.log.info({ claim: this.d.config.roleClaim }, 'sign-in refused: no role rule matches');
      await this.d.accounts.lostRole(accountIdOf(this.d.config.issuer, String(claims.sub)));
      throw errors.forbidden(
        'your account has no role in this dashboard: ask its administrator to add you to a group it admits',
      );
    }
    return this.d.accounts.signedIn(person);
  }

  private personOf(claims: Record<string, unknown>): SignedInPerson | null {
    const role = roleFor(claims, this.d.config.roleClaim, this.d.config.roles);
    if (!role) return null;
    const text = (v: unknown, max: number) =>
      typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null;
    const sub = String(claims.sub);
    const email = text(claims.email, 254);
    return {
      id: accountIdOf(this.d.config.issuer, sub),
      name:
        text(claims.name, 128) ??
        text(claims.preferred_username, 128) ??
        email?.slice(0, 128) ??
        sub.slice(0, 128),
      email,
      role,
    };
  }
}

/**
 * A person's account id: the same for every sign-in of one subject at one issuer, and never another
 * issuer's (subjects are only unique per issuer).
 */
export function accountIdOf(issuer: string, subject: string): string {
  return `oidc:${createHash('sha256').update(`${issuer}\n${subject}`).digest('hex').slice(0, 32)}`;
}

function providerDown(cause: unknown): AppError {
  return new AppError('unavailable', 'the identity provider cannot be reached right now: try again', {
    cause,
  });
}

function isNetworkError(err: unknown): boolean {
  return err instanceof TypeError || (err as { code?: unknown } | null)?.code === 'OAUTH_TIMEOUT';
}

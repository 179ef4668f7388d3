import type { OidcConfig } from '../oidc-settings.js';
import type { Logger } from '../logger.js';
import type { Secrets } from '../secrets/secret-store.js';
import type { StateStore } from '../store/state-store.js';
import { AccountService } from './account-service.js';
import { ApiTokenService, type TokenAudit } from './api-token-service.js';
import { buildOidc } from './oidc/build-oidc.js';
import { OperatorSessions } from './operator-session.js';
import { firstBearers, PrincipalResolver, type AccountBearers } from './principal.js';
import type { RightsService } from './rights-service.js';
import type { TokenService } from './token-service.js';

/**
 * Who may call the API, for the composition root: operator accounts (signed in with OpenID Connect,
 * or by personal API tokens), the admin token, room tokens; the page's cookie sessions.
 */
export async function buildOperators(d: {
  store: StateStore;
  secrets: Pick<Secrets, 'adminToken' | 'inviteKey'>;
  oidc: OidcConfig | null | undefined;
  tokens: TokenService;
  rights: RightsService;
  audit: TokenAudit;
  /** bearers tried before the API tokens (tests' fixed accounts) */
  extraBearers?: AccountBearers | undefined;
  log: Logger;
}) {
  const accounts = new AccountService(d.store, d.log.child({ mod: 'accounts' }));
  const apiTokens = new ApiTokenService(d.store, d.log.child({ mod: 'api-tokens' }), Date.now, d.audit);
  const oidc = await buildOidc(d.oidc, {
    inviteKey: d.secrets.inviteKey,
    accounts,
    log: d.log.child({ mod: 'oidc' }),
  });
  const bearers = d.extraBearers ? firstBearers(d.extraBearers, apiTokens) : apiTokens;
  return {
    accounts,
    apiTokens,
    oidc,
    resolver: new PrincipalResolver(d.secrets.adminToken, d.tokens, d.rights, bearers),
    sessions: new OperatorSessions(d.secrets.inviteKey, d.secrets.adminToken),
  };
}

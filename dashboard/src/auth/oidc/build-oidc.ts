import { readFile } from 'node:fs/promises';
import type { OidcConfig } from '../../oidc-settings.js';
import type { Logger } from '../../logger.js';
import type { AccountService } from '../account-service.js';
import { FlowCookies } from './flow-cookie.js';
import { OidcClient } from './oidc-client.js';
import { OidcService } from './oidc-service.js';

/**
 * The sign-in with OpenID Connect of the composition root; null when not configured. The client
 * secret comes from BOXROOM_OIDC_CLIENT_SECRET or the file BOXROOM_OIDC_CLIENT_SECRET_FILE names
 * (read once, here: an unreadable file stops the start, and its path, never its content, is said).
 */
export async function buildOidc(
  config: OidcConfig | null | undefined,
  deps: { inviteKey: Buffer; accounts: AccountService; log: Logger },
): Promise<OidcService | null> {
  if (!config) return null;
  let secret = config.clientSecret;
  if (config.clientSecretFile) {
    const file = config.clientSecretFile;
    secret = await readFile(file, 'utf8').then(
      (s) => s.trim(),
      (err: unknown) => {
        throw new Error(`BOXROOM_OIDC_CLIENT_SECRET_FILE ${file} cannot be read`, { cause: err });
      },
    );
    if (!secret) throw new Error(`BOXROOM_OIDC_CLIENT_SECRET_FILE ${file} is empty`);
  }
  deps.log.info(
    {
      issuer: config.issuer,
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      confidential: !!secret,
    },
    'operator sign-in with OpenID Connect on',
  );
  return new OidcService({
    config,
    client: new OidcClient(config, secret, deps.log),
    flows: new FlowCookies(deps.inviteKey),
    accounts: deps.accounts,
    log: deps.log,
  });
}

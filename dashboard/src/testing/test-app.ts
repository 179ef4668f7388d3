import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  API_TOKEN_PREFIX,
  type AccountRef,
  type QuotaLimits,
  type TemplateDefinition,
} from '@boxroom/contracts';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../app.js';
import type { OidcConfig } from '../oidc-settings.js';
import { loadSecrets, type Secrets } from '../secrets/secret-store.js';
import { FakeDriver } from './fake-driver.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  app: FastifyInstance;
  driver: FakeDriver;
  secrets: Secrets;
  dataDir: string;
  admin: { authorization: string };
  close(): Promise<void>;
}

/** The real app over a FakeDriver, with fresh keys in a temp data dir. */
export async function buildTestApp(
  opts: {
    maxRooms?: number;
    agentUrl?: string | null;
    logLines?: string[];
    /** the built web UI to serve (default: wherever `npm run build` put it, if it did) */
    webDir?: string | null;
    /** how often the reaper sweeps (default: the app's) */
    roomPollMs?: number;
    /** BOXROOM_METRICS_TOKEN */
    metricsToken?: string;
    /** the operator's file templates (BOXROOM_TEMPLATES_FILE) */
    templates?: readonly TemplateDefinition[];
    /** a data dir to use (and leave in place): a second app over the first one's store */
    dataDir?: string;
    /**
     * operator accounts by bearer (`brt_<anything>`): for tests of what accounts may do, not of how
     * they sign in (auth/ tests the real API tokens and OIDC)
     */
    accounts?: Record<string, AccountRef>;
    /** every creator's default limits (BOXROOM_QUOTA_*); absent: none */
    quotas?: QuotaLimits;
    /** operator sign-in with OpenID Connect (the provider is asked only when a flow needs it) */
    oidc?: OidcConfig;
    /** sign-ins per client address and minute (BOXROOM_RATE_SIGNIN_PER_MIN) */
    signInPerMin?: number;
    /** BOXROOM_RELAY (default on) */
    relay?: boolean;
  } = {},
): Promise<TestApp> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'boxroom-dash-test-')));
  const secrets = await loadSecrets(dataDir, ADMIN_TOKEN);
  const driver = new FakeDriver(opts.agentUrl ?? null);
  const app = await buildApp({
    config: {
      dataDir,
      publicUrl: 'http://box.test',
      maxRooms: opts.maxRooms ?? 50,
      tokenTtlS: 3600,
      ...(opts.roomPollMs !== undefined ? { roomPollMs: opts.roomPollMs } : {}),
      ...(opts.metricsToken !== undefined ? { metricsToken: opts.metricsToken } : {}),
      ...(opts.quotas ? { quotas: opts.quotas } : {}),
      ...(opts.oidc ? { oidc: opts.oidc } : {}),
      ...(opts.relay !== undefined ? { relay: opts.relay } : {}),
      ...(opts.signInPerMin
        ? { rates: { signInPerMin: opts.signInPerMin, joinPerMin: 0, createPerMin: 0 } }
        : {}),
    },
    log: opts.logLines
      ? pino({ level: 'debug' }, { write: (line: string) => void opts.logLines!.push(line) })
      : pino({ level: 'silent' }),
    driver,
    secrets,
    ...(opts.webDir !== undefined ? { webDir: opts.webDir } : {}),
    ...(opts.templates ? { templates: opts.templates } : {}),
    ...(opts.accounts ? { accountBearers: staticBearers(opts.accounts) } : {}),
  });
  await app.ready();
  return {
    app,
    driver,
    secrets,
    dataDir,
    admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
    async close() {
      await app.close();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The invite secret of a link: what follows `#invite=`. */
export function inviteOf(link: string): string {
  const secret = new URL(link).hash.replace(/^#invite=/, '');
  if (!secret) throw new Error(`no invite in ${link}`);
  return secret;
}

/** Fixed bearers for operator accounts (see buildTestApp's `accounts`). */
function staticBearers(accounts: Record<string, AccountRef>) {
  return {
    owns: (bearer: string) => bearer.startsWith(API_TOKEN_PREFIX),
    resolve: async (bearer: string) => accounts[bearer] ?? null,
  };
}

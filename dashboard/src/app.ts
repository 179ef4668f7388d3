import fastifyWebsocket from '@fastify/websocket';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ADMIN_ACCOUNT_ID, type TemplateDefinition } from '@boxroom/contracts';
import { AuditLog } from './audit/audit-log.js';
import { AuditRetention } from './audit/audit-retention.js';
import { InviteService } from './auth/invite-service.js';
import { MetricsAuth } from './auth/metrics-auth.js';
import { RightsService } from './auth/rights-service.js';
import { JoinService } from './rooms/join-service.js';
import { ParticipantRights } from './rooms/participant-rights.js';
import type { AccountBearers } from './auth/principal.js';
import { buildOperators } from './auth/build-operators.js';
import { TokenService } from './auth/token-service.js';
import type { DashboardConfig } from './config.js';
import { clientErrorHandler, frameworkErrors, installErrorHandler } from './http/error-handler.js';
import { Metrics } from './http/metrics.js';
import { registerOpenApi } from './http/openapi.js';
import { rateLimits } from './http/rate-limit.js';
import { installSecurityHeaders } from './http/security-headers.js';
import { findWebDir, webAssets } from './http/web-assets.js';
import { redactUrl, type Logger } from './logger.js';
import { MeteredDriver } from './metrics/metered-driver.js';
import { buildPool, keepAliveMsOf } from './rooms/pool/build-pool.js';
import { PooledDriver } from './rooms/pool/pooled-driver.js';
import { RoomSeries } from './metrics/room-series.js';
import { proxyRoutes } from './proxy/proxy-routes.js';
import { AgentClient } from './rooms/agent-client.js';
import { ControlService } from './rooms/control-service.js';
import { DesktopService } from './rooms/desktop-service.js';
import { FileService } from './rooms/file-service.js';
import type { RoomDriver } from './rooms/room-driver.js';
import { NO_TIMEOUTS } from './rooms/room-driver.js';
import { RoomManager } from './rooms/room-manager.js';
import { RoomReaper } from './rooms/room-reaper.js';
import { ProfileService } from './profiles/profile-service.js';
import { UNCAPPED } from './quotas/quota-math.js';
import { QuotaService } from './quotas/quota-service.js';
import { RightsPush } from './rooms/rights-push.js';
import { liveTimeouts, RoomSettingsService } from './rooms/room-settings-service.js';
import { SettingsPush } from './rooms/settings-push.js';
import { registerApiRoutes } from './routes/api-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import type { Secrets } from './secrets/secret-store.js';
import { loadWebhookSecret } from './secrets/webhook-secret.js';
import { createStateStore } from './store/create-state-store.js';
import { buildRecordings } from './recordings/build-recordings.js';
import { SingletonJobs } from './store/singleton-jobs.js';
import type { StateStore } from './store/state-store.js';
import { TemplateService } from './templates/template-service.js';
import { ControlRelay } from './webhooks/control-relay.js';
import { WebhookOutbox } from './webhooks/webhook-outbox.js';
import { WebhookSender } from './webhooks/webhook-sender.js';
import { NO_WEBHOOKS, type WebhookSink } from './webhooks/webhook-sink.js';

export const API_VERSION = '0.1.0';

/** JSON bodies of this API are small; anything bigger is a mistake or an attack. */
const BODY_LIMIT_BYTES = 64 * 1024;
/** Browser -> agent messages (RFB input, session pings) are small. */
const WS_MAX_PAYLOAD_BYTES = 1024 * 1024;
const DEFAULT_ROOM_POLL_MS = 5_000;
/** the audit trail's bounds when the config names none (tests): BOXROOM_AUDIT_* defaults */
const AUDIT_BOUNDS = { retentionDays: 90, maxEntries: 100_000 };

export interface AppDeps {
  config: Pick<DashboardConfig, 'dataDir' | 'publicUrl' | 'maxRooms' | 'tokenTtlS'> &
    Partial<
      Pick<
        DashboardConfig,
        | 'roomTimeouts'
        | 'pool'
        | 'roomPollMs'
        | 'webhookUrl'
        | 'webhookSecret'
        | 'localRoomOrphanS'
        | 'failedRoomGraceS'
        | 'trustedProxies'
        | 'rates'
        | 'maxParticipants'
        | 'maxSocketsPerPrincipal'
        | 'relay'
        | 'webDir'
        | 'databaseUrl'
        | 'recordings'
        | 'metricsToken'
        | 'oidc'
        | 'audit'
        | 'quotas'
      >
    >;
  /** PEM cert and key: serve HTTPS (BOXROOM_TLS_CERT / BOXROOM_TLS_KEY, read by the composition root) */
  tls?: { cert: string | Buffer; key: string | Buffer };
  log: Logger;
  /** already init()ed by the composition root */
  driver: RoomDriver;
  secrets: Secrets;
  agent?: AgentClient;
  /**
   * the shared state (default: from config, files in dataDir or PostgreSQL); the app opens it when
   * built and closes it when closed
   */
  store?: StateStore;
  /** the built web UI; default: found beside the bundle (see findWebDir), null: none */
  webDir?: string | null;
  /** the operator's room templates (BOXROOM_TEMPLATES_FILE, checked by the composition root) */
  templates?: readonly TemplateDefinition[];
  /** more bearers that act for operator accounts (tests' fixed ones), tried before the API tokens */
  accountBearers?: AccountBearers;
}

/** The dashboard as a fastify instance; server.ts listens, tests inject. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, log } = deps;
  const store =
    deps.store ?? createStateStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl ?? null }, log);
  await store.open();
  let app: FastifyInstance | undefined;
  try {
    return await composeApp(deps, store, (a) => (app = a));
  } catch (err) {
    // A start that fails half way leaves nothing open: the app's onClose hooks (once registered)
    // stop what was started, and the store's pool and LISTEN connection end (close is idempotent).
    await app?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
}

async function composeApp(
  deps: AppDeps,
  store: StateStore,
  created: (app: FastifyInstance) => void,
): Promise<FastifyInstance> {
  const { config, log, secrets } = deps;
  const metrics = new Metrics();
  // create() times, time to ready and failures, per driver: every caller goes through this one
  // rooms waiting in the warm pool exist for the pool only (rooms/pool); the rest use this driver
  const driver = new PooledDriver(new MeteredDriver(deps.driver, metrics), store, log.child({ mod: 'pool' }));
  // HTTPS or not, the routes are the same: the server type is only what listen() creates.
  const serverOptions = deps.tls ? { https: { cert: deps.tls.cert, key: deps.tls.key } } : {};
  const app = Fastify({
    ...(serverOptions as object),
    // X-Forwarded-For / -Proto / -Host only from configured proxies: req.ip and req.protocol are
    // the TCP peer and the socket's own scheme otherwise (a client cannot claim another address)
    trustProxy: config.trustedProxies?.length ? [...config.trustedProxies] : false,
    loggerInstance: log.child({ mod: 'http' }) as FastifyBaseLogger,
    // fastify would log full URLs; /rooms/* carry ?token=. Our onResponse hook logs them redacted.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // a file name (PUT /api/rooms/:id/files/:name) of 255 bytes of UTF-8 is up to 765 characters encoded
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
  created(app);
  app.addHook('onClose', async () => driver.detach());
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  // the audit trail: every service that changes state records through this one
  const audit = new AuditLog(store, log.child({ mod: 'audit' }));
  const tokens = await TokenService.fromPem(secrets.privateKeyPem, secrets.publicKeyPem, config.tokenTtlS);
  const invites = new InviteService(secrets.inviteKey, store, log.child({ mod: 'invites' }));
  await invites.init();
  const rights = new RightsService(store, log.child({ mod: 'rights' }));
  await rights.init();
  const agent = deps.agent ?? new AgentClient();
  // Every replica queues events in the store's outbox; the one holding the `webhooks` lease sends them.
  const sender = config.webhookUrl
    ? new WebhookSender({
        url: config.webhookUrl,
        secret: await loadWebhookSecret(config.dataDir, config.webhookSecret ?? null),
        outbox: store,
        log: log.child({ mod: 'webhooks' }),
      })
    : null;
  const webhooks: WebhookSink = sender
    ? new WebhookOutbox(store, log.child({ mod: 'webhook-outbox' }), () => sender.wake())
    : NO_WEBHOOKS;
  const rightsPush = new RightsPush({
    rights,
    tokens,
    agent,
    room: (id) => driver.get(id),
    log: log.child({ mod: 'rights-push' }),
  });
  // The recordings follow the rooms and the rooms tell them when one ends: built after, called later.
  let recordings: ReturnType<typeof buildRecordings> | null = null;
  const roomSettings = new RoomSettingsService(store, log.child({ mod: 'room-settings' }));
  await roomSettings.init();
  const templates = new TemplateService(store, deps.templates ?? [], log.child({ mod: 'templates' }), audit);
  await templates.init();
  const settingsPush = new SettingsPush({
    settings: roomSettings,
    tokens,
    agent,
    log: log.child({ mod: 'settings-push' }),
  });
  const profiles = new ProfileService({
    store,
    storage: driver.profiles ?? null,
    log: log.child({ mod: 'profiles' }),
    audit,
  });
  // per-creator quotas: admits creates and recording starts, stops recordings over the bytes limit
  const quotas = new QuotaService({
    store,
    defaults: config.quotas ?? UNCAPPED,
    rooms: () => driver.list(),
    timeoutsOf: (spec) => liveTimeouts(roomSettings.of(spec), spec),
    // the role an account signed in with last (the admin token's account: admin)
    roleOf: async (id) => (id === ADMIN_ACCOUNT_ID ? 'admin' : ((await store.getAccount(id))?.role ?? null)),
    audit,
    log: log.child({ mod: 'quotas' }),
  });
  const pool = buildPool({ config, driver, templates, metrics, log, keepAlive: (r) => rooms.observe(r) });
  const rooms = new RoomManager({
    driver,
    pool,
    defaultRecord: config.recordings?.defaultPolicy ?? 'manual',
    roomEnding: async (id) => recordings?.service.roomEnding(id),
    invites,
    tokens,
    agent,
    log: log.child({ mod: 'rooms' }),
    publicUrl: config.publicUrl,
    maxRooms: config.maxRooms,
    defaultTimeouts: config.roomTimeouts ?? NO_TIMEOUTS,
    webhooks,
    rights,
    rightsPush,
    settings: roomSettings,
    settingsPush,
    profiles,
    templates,
    audit,
    quotas,
  });
  const reaper = new RoomReaper({
    rooms,
    log: log.child({ mod: 'reaper' }),
    pollMs: config.roomPollMs ?? DEFAULT_ROOM_POLL_MS,
    keepAliveMs: keepAliveMsOf(config),
    ...(config.failedRoomGraceS !== undefined ? { failedGraceMs: config.failedRoomGraceS * 1000 } : {}),
    listener: new ControlRelay(webhooks, log.child({ mod: 'control-relay' }), audit),
    rights: rightsPush,
    settings: settingsPush,
    timeouts: (r) => rooms.timeoutsOf(r.spec),
    profiles,
  });
  const participantRights = new ParticipantRights(
    rooms,
    tokens,
    rights,
    rightsPush,
    log.child({ mod: 'participant-rights' }),
    audit,
  );
  recordings = buildRecordings({
    config: config.recordings ?? null,
    dataDir: config.dataDir,
    publicUrl: config.publicUrl,
    inviteKey: secrets.inviteKey,
    store,
    rooms,
    driver,
    agent,
    invites,
    tokens,
    webhooks,
    log: log.child({ mod: 'recordings' }),
    audit,
    quotas,
  });
  const recorded = recordings;
  const access = new JoinService(
    rooms,
    invites,
    tokens,
    log.child({ mod: 'access' }),
    participantRights,
    config.maxParticipants ?? 0,
    (id, body) => recorded.service.endedJoin(id, body),
    audit,
  );
  const control = new ControlService(rooms, agent, log.child({ mod: 'control' }));
  const desktop = new DesktopService(rooms, agent, log.child({ mod: 'desktop' }));
  const files = new FileService(rooms, log.child({ mod: 'files' }));
  // operator accounts: signed in with OpenID Connect (a session cookie) or by personal API tokens
  const { accounts, apiTokens, oidc, resolver, sessions } = await buildOperators({
    store,
    secrets,
    oidc: config.oidc,
    tokens,
    rights,
    audit,
    extraBearers: deps.accountBearers,
    log,
  });

  const jobs = new SingletonJobs(store, log, {
    producers: {
      recorders: recorded.pool,
      reaper,
      pool,
      'audit-retention': new AuditRetention({
        store,
        ...(config.audit ?? AUDIT_BOUNDS),
        log: log.child({ mod: 'audit' }),
      }),
    },
    sender,
  });
  app.addHook('onReady', async () => {
    jobs.start();
    // rooms that ended while no dashboard ran stop counting room-hours
    await quotas.reconcile().catch((err: unknown) => log.warn({ err }, 'quota ledger reconcile failed'));
  });
  app.addHook('onClose', async () => {
    // The reaper first (it emits), then what was emitted goes into the store, then the sender stops:
    // what it did not send, the next holder of its lease sends. Recorders stop without finishing:
    // their recordings resume after a restart (or on the replica that takes the lease).
    await jobs.stopProducers();
    rooms.close();
    await webhooks.close();
    await jobs.stopSender();
    invites.close();
    rights.close();
    roomSettings.close();
    templates.close();
    await store.close().catch((err: unknown) => log.error({ err }, 'closing the state store failed'));
  });

  installErrorHandler(app, log.child({ mod: 'errors' }));
  installSecurityHeaders(app);
  app.addHook('onResponse', async (req, reply) => {
    const quiet = req.url === '/healthz' || req.url === '/metrics';
    log[quiet ? 'debug' : 'info'](
      {
        method: req.method,
        url: redactUrl(req.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    metrics.response(reply.statusCode);
  });

  await registerOpenApi(app, API_VERSION);
  await app.register(fastifyWebsocket, {
    options: { maxPayload: WS_MAX_PAYLOAD_BYTES, perMessageDeflate: false },
  });

  await app.register(healthRoutes, {
    driver,
    metrics,
    roomSeries: new RoomSeries({
      registry: metrics.registry,
      driver,
      agent,
      tokens,
      log: log.child({ mod: 'room-metrics' }),
    }),
    metricsAuth: new MetricsAuth(secrets.adminToken, config.metricsToken ?? null),
  });
  await registerApiRoutes(app, {
    resolver,
    sessions,
    oidc,
    accounts,
    apiTokens,
    audit,
    rooms,
    templates,
    access,
    participantRights,
    control,
    desktop,
    recordings: recorded,
    files,
    profiles,
    quotas,
    // rates apply when configured (server.ts always passes them; tests choose)
    limits: rateLimits(config.rates),
    log,
  });
  await app.register(proxyRoutes, {
    rooms,
    tokens,
    metrics,
    log: log.child({ mod: 'proxy' }),
    maxSocketsPerPrincipal: config.maxSocketsPerPrincipal ?? 0,
    relay: (config.relay ?? true) ? { log: log.child({ mod: 'relay' }) } : null,
  });
  await app.register(webAssets, {
    root: deps.webDir === undefined ? findWebDir(deps.config.webDir ?? null) : deps.webDir,
  });
  return app;
}

import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TokenVerifier } from './auth/token-verifier.js';
import { loadAgentConfig } from './config.js';
import { ControlHistory } from './control/control-history.js';
import { ControlLease } from './control/control-lease.js';
import { roomProcessSpecs } from './desktop/room-processes.js';
import { buildAgentApp } from './http/agent-app.js';
import { InputGate } from './input/index.js';
import { ExpiryWatch } from './lifecycle/expiry-watch.js';
import { GiveUpWatch } from './lifecycle/give-up-watch.js';
import { createRootLogger } from './logger.js';
import { MediaServer, SnapshotSource, StreamFanout } from './media/index.js';
import { RoomRuntime } from './room-runtime.js';
import { SessionHub } from './session/session-hub.js';
import { Supervisor } from './supervisor/supervisor.js';

/** Lets the 4504 close frames reach the browsers before the agent goes. */
const FAILED_EXIT_DELAY_MS = 500;
/** A failed room's agent exits with this: the driver marks the room failed, not stopped. */
const EXIT_FAILED = 3;

/** Leaves time inside Docker's and the local driver's 10 s stop timeouts, and the 5 s target. */
const SHUTDOWN_DEADLINE_MS = 4_500;

/** Empties (not removes) the run dir: in a container it is a mount point. */
function emptyDir(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

async function main(): Promise<void> {
  const config = loadAgentConfig();
  const log = createRootLogger(config.logLevel).child({ room: config.roomId });
  mkdirSync(config.runDir, { recursive: true, mode: 0o700 });

  const verifier = await TokenVerifier.fromPem(config.publicKeyPem, config.roomId);
  const media = MediaServer.fromConfig(config, log.child({ module: 'media' }));
  await media.start();
  const fanout = new StreamFanout(media.source(), {
    maxBacklogBytes: config.viewerMaxBacklogBytes,
    logger: log.child({ module: 'fanout' }),
  });
  const specs = roomProcessSpecs(config, {
    rtmpUrl: media.publishUrl(),
    ffmpegReady: (signal) => media.waitForPublish(signal),
    runningAsRoot: process.getuid?.() === 0,
  });
  const supervisor = new Supervisor(specs, { log: log.child({ module: 'supervisor' }) });
  const lease = new ControlLease({
    idleMs: config.controlIdleMs,
    graceMs: config.controlGraceMs,
    maxQueue: config.controlQueueMax,
  });
  const history = new ControlHistory();
  const expiry = new ExpiryWatch({
    timeouts: {
      maxAgeMs: config.roomMaxAgeMs,
      noViewersMs: config.roomNoViewersMs,
      noInputMs: config.roomNoInputMs,
    },
    createdAt: config.roomCreatedAt,
  });
  const session = new SessionHub(log.child({ module: 'session' }));
  const gate = new InputGate({
    vncPort: config.vncPort,
    logger: log.child({ module: 'input' }),
    onInput: () => {
      lease.touch();
      expiry.inputSeen();
    },
  });
  const runtime = new RoomRuntime({
    roomId: config.roomId,
    log,
    supervisor,
    media,
    fanout,
    lease,
    history,
    expiry,
    session,
    gate,
  });
  let app: Awaited<ReturnType<typeof buildAgentApp>> | null = null;
  let shuttingDown = false;
  const shutdown = async (signal: string, exitCode = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'stopping');
    const force = setTimeout(() => {
      log.error('shutdown deadline passed, exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    force.unref();
    await runtime.stop();
    await app?.close().catch((err: unknown) => log.error({ err }, 'closing http failed'));
    emptyDir(config.runDir);
    log.info('stopped');
    process.exit(exitCode);
  };
  // The desktop did not come back: the room has failed. Viewers are told (4504 and why), then the
  // agent ends itself, which both drivers see as a failed room (removed after its grace period).
  const giveUp = new GiveUpWatch({
    giveUpMs: config.desktopGiveUpMs,
    allReady: () => supervisor.allReady(),
    processes: () => supervisor.health(),
  });
  giveUp.on('give-up', (detail) => {
    runtime.fail(detail);
    setTimeout(() => void shutdown('gave up', EXIT_FAILED), FAILED_EXIT_DELAY_MS).unref();
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  // The desktop starts before the HTTP side is built and listening: building it (fastify, its
  // plugins, the routes) then runs while Xvfb, PulseAudio and ffmpeg start. Nobody can watch a room
  // before the dashboard sees /healthz ok, so nothing waits on the order.
  runtime.start();
  giveUp.start();
  supervisor.start().then(
    () => log.info('room ready'),
    (err: unknown) => log.error({ err }, 'room did not become ready; still retrying'),
  );

  const snapshots = new SnapshotSource({
    display: config.display,
    width: config.width,
    height: config.height,
    logger: log.child({ module: 'snapshot' }),
  });
  try {
    app = await buildAgentApp({
      roomId: config.roomId,
      room: { width: config.width, height: config.height, fps: config.fps },
      log,
      verifier,
      lease,
      history,
      expiry,
      session,
      stream: fanout,
      input: { admit: (ws, id) => void gate.admit(ws, id) },
      snapshots: { capture: () => snapshots.get() },
      health: runtime,
    });
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    // the processes already run: stop them rather than leave them to whoever cleans up after us
    await runtime.stop();
    throw err;
  }
  log.info(
    {
      port: config.port,
      display: config.display,
      size: `${config.width}x${config.height}@${config.fps}`,
      capture: config.capture,
    },
    'agent listening',
  );
  if (config.capture === 'x11grab' && (process.env.BOXROOM_CAPTURE ?? 'auto') === 'auto')
    log.warn(
      { captureBin: config.captureBin },
      'boxroom-capture not found: ffmpeg grabs every frame (x11grab), which costs more CPU on a still screen',
    );
}

main().catch((err: unknown) => {
  process.stderr.write(`room-agent failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { sameSizeAndSettings, sameTimeouts } from '@boxroom/contracts';
import { errorText, reportCrashesWithMappedStacks } from '@boxroom/contracts/stack-map';
import { join } from 'node:path';
import { RightsRegistry } from './auth/rights-registry.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { ClipboardBridge } from './clipboard/clipboard-bridge.js';
import { loadAgentConfig } from './config.js';
import { ControlHistory } from './control/control-history.js';
import { ControlLease } from './control/control-lease.js';
import { desktopPaths, agentPaths } from './desktop/desktop-dirs.js';
import { DesktopReset } from './desktop/desktop-reset.js';
import { sweepAsDesktop } from './desktop/desktop-sweep.js';
import { desktopCanSandbox, resolveDesktopIdentity, type DesktopIdentity } from './desktop/desktop-user.js';
import { roomProcessSpecs } from './desktop/room-processes.js';
import { ScreenSize } from './desktop/screen-size.js';
import { SoundSleep } from './desktop/sound-sleep.js';
import { newCookie } from './desktop/xauthority.js';
import { RoomFiles } from './files/room-files.js';
import { buildAgentApp } from './http/agent-app.js';
import { InputGate, decodeClientCutText } from './input/index.js';
import { DashboardSilence } from './lifecycle/dashboard-silence.js';
import { ExpiryWatch } from './lifecycle/expiry-watch.js';
import { GiveUpWatch } from './lifecycle/give-up-watch.js';
import { createRootLogger } from './logger.js';
import { MediaServer, RelayUpstreams, SnapshotSource, StreamFanout } from './media/index.js';
import { RoomMetrics } from './metrics/room-metrics.js';
import { StreamMeter } from './metrics/stream-meter.js';
import { RoomRuntime } from './room-runtime.js';
import { SessionHub } from './session/session-hub.js';
import { LiveSettings } from './settings/live-settings.js';
import { SettingsApplier } from './settings/settings-applier.js';
import { Supervisor } from './supervisor/supervisor.js';

/** Lets the 4504 close frames reach the browsers before the agent goes. */
const FAILED_EXIT_DELAY_MS = 500;
/** A failed room's agent exits with this: the driver marks the room failed, not stopped. */
const EXIT_FAILED = 3;

/** The HTTP side waits at most this for Xvfb's spawn before it is built anyway. */
const XVFB_FIRST_CAP_MS = 500;

/** Leaves time inside Docker's and the local driver's 10 s stop timeouts, and the 5 s target. */
const SHUTDOWN_DEADLINE_MS = 4_500;

/** Empties (not removes) the run dir: in a container it is a mount point. */
function emptyDir(dir: string): void {
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}

/**
 * Removes the desktop's dir (left by an agent killed with SIGKILL, or ours at the end). Its home
 * belongs to the desktop user, 0700: in a container the agent has no CAP_DAC_OVERRIDE to enter it,
 * so the desktop user empties it first; then the agent removes what is left (its own dir).
 */
async function removeDesktopDir(dir: string, identity: DesktopIdentity, filesDir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const p = desktopPaths(dir);
  // the files folder too when it lives there (the default; docker's is a tmpfs of its own)
  const files = filesDir.startsWith(`${dir}/`) ? [filesDir] : [];
  if (identity.isolation === 'desktop-user')
    await sweepAsDesktop(identity.user, { kill: false, empty: [p.home, p.xdgRuntimeDir, ...files] });
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const config = loadAgentConfig();
  // bound to the room; every module's logger adds `mod` (here, or the module names itself)
  const log = createRootLogger(config.logLevel).child({ room: config.roomId });
  mkdirSync(config.runDir, { recursive: true, mode: 0o700 });
  // an existing dir keeps its mode through mkdir: make sure nobody else can enter it
  chmodSync(config.runDir, 0o700);
  const identity = resolveDesktopIdentity(config.desktopUser);
  if (identity.isolation === 'desktop-user')
    log.info({ user: identity.user.name, uid: identity.user.uid }, 'the desktop runs as its own user');
  else
    log.warn(
      { why: identity.why },
      'NO ISOLATION: the desktop runs as the agent itself, so whoever controls the room can read the agent (tokens, keys) and everything it can',
    );
  await removeDesktopDir(config.desktopDir, identity, config.filesDir);
  // Every X client the agent runs itself (snapshots, x11vnc, the capture) finds the cookie here; the
  // supervisor passes children only what their spec names, so the desktop never sees this one.
  process.env.XAUTHORITY = agentPaths(config.runDir).xauthority;

  const verifier = await TokenVerifier.fromPem(config.publicKeyPem, config.roomId);
  const media = MediaServer.fromConfig(config, log);
  await media.start();
  const meter = new StreamMeter();
  // each start of the encoder stamps its frames from 0 again: the encode-time baseline starts over
  media.on('publish', () => meter.published());
  const fanout = new StreamFanout(media.source(), {
    maxBacklogBytes: config.viewerMaxBacklogBytes,
    logger: log,
    meter,
  });
  // The room's size and the owner's settings as the dashboard pushed them last (the create-time size
  // and clipboard policy until then).
  const live = new LiveSettings({ width: config.width, height: config.height, clipboard: config.clipboard });
  const screen = new ScreenSize({
    bin: config.screenBin,
    display: config.display,
    xauthority: agentPaths(config.runDir).xauthority,
    log,
  });
  const rights = new RightsRegistry(log.child({ mod: 'rights' }));
  // the dashboards' relays: their viewers are checked here like direct ones and counted with them
  const relay = new RelayUpstreams({
    fanout,
    verify: (token) => verifier.verify(token),
    rights,
    log,
  });
  const session = new SessionHub(log.child({ mod: 'session' }));
  const lease = new ControlLease({
    idleMs: config.controlIdleMs,
    graceMs: config.controlGraceMs,
    maxQueue: config.controlQueueMax,
  });
  const metrics = new RoomMetrics({
    stream: meter,
    viewers: () => relay.viewerCount(),
    viewersDropped: () => fanout.droppedCount(),
    viewerSkips: () => fanout.skipCount(),
    relayUpstreams: () => relay.upstreamCount(),
    controllerPresent: () => lease.holderId() !== null,
  });
  session.on('latency', (ms) => metrics.latencyReported(ms));
  const clipboard = new ClipboardBridge({
    log,
    policy: () => live.clipboard(),
    controllerId: () => lease.holderId(),
    sendTo: (participantId, event) => session.sendToParticipant(participantId, event),
    available: config.clipboardBin !== null,
  });
  session.on('clipboard', (participantId, text) => clipboard.paste(participantId, text, 'session'));
  const specs = roomProcessSpecs(config, {
    size: () => live.size(),
    ...(screen.resizable ? { setScreen: (w: number, h: number) => screen.set(w, h) } : {}),
    publishStdout: (video, audio) => media.publishFrom(video, audio),
    ffmpegReady: (signal) => media.waitForPublish(signal),
    runningAsRoot: process.getuid?.() === 0,
    identity,
    cookie: newCookie(),
    clipboard: {
      takeStdin: clipboard.takeStdin,
      takeStdout: clipboard.takeStdout,
      ready: clipboard.whenReady,
    },
    desktopUserNamespaces:
      config.app === 'browser' && identity.isolation === 'desktop-user'
        ? desktopCanSandbox(identity.user)
        : undefined,
  });
  const supervisor = new Supervisor(specs, { log: log.child({ mod: 'supervisor' }) });
  // damage capture runs the sound's encoder apart from the picture's, so it can sleep while nobody
  // watches (x11grab mode has one ffmpeg for both)
  if (config.capture === 'damage') {
    const sound = new SoundSleep({
      viewers: relay,
      signal: (sig) => supervisor.signal('ffmpeg', sig),
      idleMs: config.soundIdleMs,
      log: log.child({ mod: 'sound-sleep' }),
    });
    media.on('publish', () => sound.unitStarted());
    media.on('unpublish', () => sound.unitEnded());
    relay.on('viewers', () => sound.viewersChanged());
  }
  const history = new ControlHistory();
  const expiry = new ExpiryWatch({
    timeouts: {
      maxAgeMs: config.roomMaxAgeMs,
      noViewersMs: config.roomNoViewersMs,
      noInputMs: config.roomNoInputMs,
    },
    createdAt: config.roomCreatedAt,
  });
  live.on('change', (now, before) => {
    // an extend: the clocks follow at once (a warning already out is taken back)
    if (now.timeouts && !sameTimeouts(now.timeouts, before.timeouts))
      expiry.setTimeouts({
        maxAgeMs: now.timeouts.maxAgeS * 1000,
        noViewersMs: now.timeouts.noViewersS * 1000,
        noInputMs: now.timeouts.noInputS * 1000,
      });
    if (!sameSizeAndSettings(now, before))
      session.broadcast({
        type: 'settings',
        room: { width: now.width, height: now.height },
        settings: now.settings,
      });
  });
  const settings = new SettingsApplier({
    live,
    screen,
    maxWidth: config.maxWidth,
    maxHeight: config.maxHeight,
    restartReaders: (why) => supervisor.restart(['ffmpeg', 'x11vnc'], why),
    log,
  });
  const gate = new InputGate({
    vncSocket: agentPaths(config.runDir).vncSocket,
    logger: log,
    onInput: () => {
      lease.touch();
      expiry.inputSeen();
      metrics.input();
    },
    onCutText: (participantId, msg) => {
      const text = decodeClientCutText(msg);
      if (text !== null) clipboard.paste(participantId, text, 'rfb');
      else log.info({ participantId }, 'extended-clipboard ClientCutText ignored: x11vnc never announced it');
    },
  });
  const runtime = new RoomRuntime({
    roomId: config.roomId,
    log,
    supervisor,
    media,
    fanout,
    viewers: relay,
    lease,
    history,
    expiry,
    session,
    gate,
    isolation: identity.isolation,
    desktopReset: new DesktopReset({
      identity,
      paths: desktopPaths(config.desktopDir, config.desktopHome ?? null),
      supervisor,
      log,
    }),
  });
  const silence = new DashboardSilence(config.dashboardSilenceMs);
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
    silence.close();
    await runtime.stop();
    await app?.close().catch((err: unknown) => log.error({ err }, 'closing http failed'));
    await removeDesktopDir(config.desktopDir, identity, config.filesDir).catch((err: unknown) =>
      log.error({ err }, 'removing the desktop dir failed'),
    );
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
  silence.on('silent', ({ silenceMs, lastHeardAt }) => {
    log.warn(
      { silenceS: silenceMs / 1000, lastHeardAt: new Date(lastHeardAt).toISOString() },
      'no dashboard has called this room for BOXROOM_DASHBOARD_SILENCE_S: its dashboard is gone, stopping',
    );
    void shutdown('dashboard silence');
  });

  // The desktop starts before the HTTP side is built and listening: building it (fastify, its
  // plugins, the routes) then runs while Xvfb, PulseAudio and ffmpeg start. Nobody can watch a room
  // before the dashboard sees /healthz ok, so nothing waits on the order. And not before Xvfb runs:
  // everything in the room waits for the X server, and the build (~130 ms of this thread, measured
  // in a container) ran between the steps of its prepare and held its spawn back.
  runtime.start();
  giveUp.start();
  supervisor.start().then(
    () => log.info('room ready'),
    (err: unknown) => log.error({ err }, 'room did not become ready; still retrying'),
  );
  await supervisor.spawned('xvfb', XVFB_FIRST_CAP_MS);

  const snapshots = new SnapshotSource({
    display: config.display,
    width: config.width,
    height: config.height,
    size: () => live.size(),
    logger: log,
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
      stream: {
        attachHttp: (res) => fanout.attachHttp(res),
        attachWs: (ws) => fanout.attachWs(ws),
        viewerCount: () => relay.viewerCount(),
      },
      relay,
      rights,
      input: {
        admit: (ws, id) => void gate.admit(ws, id),
        close: (ws, code, reason) => void gate.closeSocket(ws, code, reason),
      },
      snapshots: { capture: () => snapshots.get() },
      health: runtime,
      desktop: { reset: (by) => runtime.resetDesktop(by) },
      files: new RoomFiles({
        dir: config.filesDir,
        identity,
        maxBytes: config.fileMaxBytes,
        quotaBytes: config.filesQuotaBytes,
        log,
      }),
      dashboardHeard: () => silence.heard(),
      settings: { current: () => live.current(), apply: (next) => settings.apply(next) },
      metrics,
    });
    await app.listen({ host: config.host, port: config.port });
    // from the moment a dashboard can reach us; the one that started us counts as heard
    silence.start();
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
  if (config.captureFellBack)
    log.warn(
      { captureBin: config.captureBin },
      'boxroom-capture not found: ffmpeg grabs every frame (x11grab), which costs more CPU on a still screen',
    );
}

reportCrashesWithMappedStacks('room-agent');
main().catch((err: unknown) => {
  process.stderr.write(`room-agent failed to start: ${errorText(err)}\n`);
  process.exit(1);
});

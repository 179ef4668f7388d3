import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SessionEvent } from '@boxroom/contracts';
import { postJson, until } from '../../../test/support/agent-helpers.js';
import { alive, startAgent, type RunningAgent } from '../../../test/support/agent-process.js';
import { readFlvWebSocket, type FlvReader } from '../../../test/support/flv-reader.js';
import { descendantPids, listeningTcpPorts } from '../../../test/support/processes.js';

/**
 * Plays the attacker from inside a real room: commands run as the desktop user, as a controller's
 * shell in the terminal would, and try to reach past the desktop (the agent's memory, environment,
 * files, signals, secrets, x11vnc, the X display without the cookie). Every attempt must fail. Then
 * the owner's remedy: POST /desktop/reset ends a job left behind, and the stream goes on.
 *
 * Needs root (the agent switches uids, the test creates the desktop user if it is missing).
 */

const DESKTOP_USER = 'boxroom-desktop';

interface Desktop {
  uid: number;
  gid: number;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command as the desktop user (no supplementary groups, a minimal environment). */
function asDesktop(
  user: Desktop,
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        uid: user.uid,
        gid: user.gid,
        cwd: '/',
        env: { PATH: '/usr/bin:/bin', LANG: 'C', ...env },
        timeout: 15_000,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function ensureDesktopUser(): Desktop {
  const find = () =>
    readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => f[0] === DESKTOP_USER);
  if (!find())
    execFileSync('useradd', [
      ...['--system', '--user-group', '--no-create-home'],
      ...['--shell', '/usr/sbin/nologin', DESKTOP_USER],
    ]);
  const f = find()!;
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

/** uid (real) of a process, from /proc/<pid>/status. */
function uidOf(pid: number): number {
  const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]);
}

/** the file-creation mask of a process, from /proc/<pid>/status. */
function umaskOf(pid: number): number {
  const m = /^Umask:\s+([0-7]+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return parseInt(m![1]!, 8);
}

/** pids whose command line is exactly `argv`. */
function pidsRunning(argv: string[]): number[] {
  const want = argv.join('\0') + '\0';
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'latin1') === want) out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
}

function openStream(url: string): Promise<{ ws: WebSocket; reader: FlvReader }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const reader = readFlvWebSocket(ws);
    ws.once('open', () => resolve({ ws, reader }));
    ws.once('error', reject);
  });
}

const PTRACE_ATTACH = `
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.ptrace(16, int(sys.argv[1]), 0, 0)
print(r, ctypes.get_errno())
`;

describe('the desktop user cannot reach past its room (real agent, as root)', () => {
  let user: Desktop;
  let agent: RunningAgent;
  let agentPid: number;
  const spawned: ChildProcess[] = [];

  const processes = async () =>
    Object.fromEntries((await agent.health()).body.processes.map((p) => [p.name, p.pid!]));

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this suite needs root: the agent switches uids');
    user = ensureDesktopUser();
    agent = await startAgent({ BOXROOM_APP: 'terminal', BOXROOM_WIDTH: '1024', BOXROOM_HEIGHT: '576' });
    await agent.waitHealthy(30_000);
    agentPid = agent.proc.pid!;
  }, 60_000);

  afterAll(async () => {
    for (const c of spawned) if (c.pid && alive(c.pid)) process.kill(c.pid, 'SIGKILL');
    await agent?.stop();
  });

  it('runs the wm and the app as the desktop user, and everything else as the agent', async () => {
    const h = (await agent.health()).body;
    expect(h.isolation).toBe('desktop-user');
    const pids = await processes();
    expect(uidOf(pids.wm!)).toBe(user.uid);
    expect(uidOf(pids.app!)).toBe(user.uid);
    for (const name of ['xvfb', 'pulse', 'x11vnc', 'clipboard', 'ffmpeg'])
      expect(uidOf(pids[name]!), name).toBe(0);
    expect(uidOf(agentPid)).toBe(0);
    // what the desktop creates (in /tmp too) stays its own
    for (const name of ['wm', 'app']) expect(umaskOf(pids[name]!), name).toBe(0o077);
  });

  it('cannot signal the agent: kill -USR1 fails and no inspector port opens', async () => {
    const before = listeningTcpPorts(agentPid);
    const r = await asDesktop(user, '/bin/sh', ['-c', `kill -USR1 ${agentPid}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not permitted/i);
    await new Promise((res) => setTimeout(res, 500));
    expect(listeningTcpPorts(agentPid)).toEqual(before);
    expect(before).not.toContain(9229);
    expect((await agent.health()).status).toBe(200);
  });

  it("cannot read the agent's environment or memory, nor trace it (nor its other processes)", async () => {
    const pids = await processes();
    for (const pid of [agentPid, pids.xvfb!, pids.x11vnc!, pids.ffmpeg!]) {
      const env = await asDesktop(user, '/bin/cat', [`/proc/${pid}/environ`]);
      expect(env.code, `environ of ${pid}`).not.toBe(0);
      expect(env.stderr).toMatch(/Permission denied/);
      const mem = await asDesktop(user, '/bin/sh', ['-c', `head -c 16 /proc/${pid}/mem`]);
      expect(mem.code, `mem of ${pid}`).not.toBe(0);
      expect(mem.stderr).toMatch(/Permission denied/);
      const trace = await asDesktop(user, '/usr/bin/python3', ['-c', PTRACE_ATTACH, String(pid)]);
      expect(trace.stdout.trim(), `ptrace of ${pid}`).toBe('-1 1'); // EPERM
    }
  });

  it("cannot read the agent's run dir, its cookie or the key file", async () => {
    for (const args of [
      ['ls', agent.runDir],
      ['cat', agent.xauthority],
      ['cat', join(agent.runDir, 'pulse.pa')],
      ['cat', join(agent.runDir, '..', 'public.pem')],
    ]) {
      const r = await asDesktop(user, `/bin/${args[0]}`, args.slice(1));
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(/Permission denied/);
    }
  });

  it('finds no secret in any command line', async () => {
    const cookie = readFileSync(agent.xauthority).subarray(-16);
    const token = await agent.token('spy', 'viewer');
    // a viewer is connected with its token in the URL while the command lines are read
    const viewer = await openStream(`${agent.wsUrl}/stream?token=${token}`);
    try {
      await until(() => viewer.reader.bytes > 0, 10_000, 'stream bytes');
      const r = await asDesktop(user, '/bin/sh', [
        '-c',
        'for d in /proc/[0-9]*; do printf "%s " "${d#/proc/}"; cat "$d/cmdline" 2>/dev/null; echo; done',
      ]);
      expect(r.code).toBe(0);
      const all = r.stdout;
      // This room's secrets, in every command line the desktop can read.
      for (const secret of [token, cookie.toString('hex'), cookie.toString('latin1')])
        expect(all.includes(secret)).toBe(false);
      // The shapes of a secret, in this room's command lines only: other programs on a shared host
      // (another checkout's agent, say) are not this room's to answer for.
      const room = new Set([agentPid, ...descendantPids(agentPid)].map(String));
      const ours = all
        .split('\n')
        .filter((line) => room.has(line.slice(0, line.indexOf(' '))))
        .join('\n');
      expect(ours).toContain('x11vnc'); // it read the agent's processes' command lines at all
      expect(ours).toContain('Xvfb');
      expect(ours).not.toMatch(/sign=|rtmp:\/\/|-passwd|-rfbauth|BEGIN PRIVATE KEY/);
    } finally {
      viewer.ws.close();
    }
  });

  it('cannot reach x11vnc: no TCP port, and its socket is out of reach', async () => {
    const pids = await processes();
    expect(listeningTcpPorts(pids.x11vnc!)).toEqual([]);
    const sock = join(agent.runDir, 'vnc.sock');
    expect(existsSync(sock)).toBe(true);
    const tryConnect = `require('net').connect(process.argv[1]).on('connect',()=>{console.log('connected');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(0)})`;
    const r = await asDesktop(user, process.execPath, ['-e', tryConnect, sock]);
    expect(r.stdout.trim()).toBe('EACCES');
    // and the agent itself still can (the input gate's way in)
    await new Promise<void>((resolve, reject) => {
      const s = connect(sock, () => {
        s.destroy();
        resolve();
      });
      s.once('error', reject);
    });
  });

  it("cannot make the agent's PulseAudio load a module (files as root, libraries in its memory)", async () => {
    const socket = join(tmpdir(), `boxroom-desktop-${agent.roomId}-${agent.display}`, 'pulse', 'native');
    const env = { HOME: '/tmp', PULSE_SERVER: `unix:${socket}` };
    // the desktop may use the sound server (the app plays into it)...
    const info = await asDesktop(user, '/usr/bin/pactl', ['info'], env);
    expect(info.code, info.stderr).toBe(0);
    // ...but not extend it: module-pipe-sink would create this file as the agent's uid
    const planted = join(agent.runDir, 'planted-by-desktop');
    const load = await asDesktop(
      user,
      '/usr/bin/pactl',
      ['load-module', 'module-pipe-sink', `file=${planted}`, 'sink_name=evil'],
      env,
    );
    expect(load.code).not.toBe(0);
    expect(existsSync(planted)).toBe(false);
  });

  it('cannot steer x11vnc through X properties (remote control, reverse connections)', async () => {
    const pids = await processes();
    const env = {
      HOME: '/tmp',
      DISPLAY: `:${agent.display}`,
      XAUTHORITY: join(tmpdir(), `boxroom-desktop-${agent.roomId}-${agent.display}`, 'xauthority'),
    };
    // x11vnc -R sets X11VNC_REMOTE on the root window; an x11vnc that listens opens this port
    const port = String(20_000 + (agent.display % 1000) * 10);
    const r = await asDesktop(
      user,
      '/usr/bin/x11vnc',
      ['-display', env.DISPLAY, '-sync', '-R', `rfbport:${port}`],
      env,
    );
    expect(r.stderr).not.toMatch(/ans=/);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(listeningTcpPorts(pids.x11vnc!)).toEqual([]);
  });

  it('cannot open the display without the cookie; the desktop copy works', async () => {
    const display = `:${agent.display}`;
    const without = await asDesktop(user, '/usr/bin/xdpyinfo', [], {
      DISPLAY: display,
      XAUTHORITY: '/nonexistent',
    });
    expect(without.code).not.toBe(0);
    expect(without.stderr).toMatch(/unable to open display|Authorization required/i);
    // as root too: the cookie is the way in, not the uid
    const rootWithout = await new Promise<number>((resolve) =>
      execFile(
        'xdpyinfo',
        [],
        { env: { PATH: process.env.PATH, DISPLAY: display, XAUTHORITY: '/nonexistent' } },
        (e) => resolve(e ? 1 : 0),
      ),
    );
    expect(rootWithout).toBe(1);
    const desktopDir = join(tmpdir(), `boxroom-desktop-${agent.roomId}-${agent.display}`);
    const withCopy = await asDesktop(user, '/usr/bin/xdpyinfo', [], {
      DISPLAY: display,
      XAUTHORITY: join(desktopDir, 'xauthority'),
    });
    expect(withCopy.stderr).toBe('');
    expect(withCopy.stdout).toContain('1024x576 pixels');
  });

  it('a desktop reset ends what the desktop user left running, and the stream goes on', async () => {
    const owner = await agent.token('owner-1', 'owner');
    const participant = await agent.token('p-1', 'participant');
    // a job typed into the terminal, in a session of its own (it leaves the xterm's process group)
    const xdo = (...args: string[]) => execFileSync('xdotool', args, { env: agent.xEnv() });
    xdo('search', '--sync', '--onlyvisible', '--class', 'xterm', 'windowfocus', '--sync');
    xdo('type', '--delay', '20', 'setsid sleep 4242 &');
    xdo('key', 'Return');
    const typed = await until(() => pidsRunning(['sleep', '4242'])[0], 10_000, 'the typed job');
    expect(uidOf(typed)).toBe(user.uid);
    // and one started as the desktop user directly, detached
    const direct = spawn('sleep', ['4343'], {
      uid: user.uid,
      gid: user.gid,
      detached: true,
      stdio: 'ignore',
    });
    spawned.push(direct);
    await until(() => alive(direct.pid!), 2_000, 'the direct job');

    const session = new WebSocket(`${agent.wsUrl}/session?token=${owner}`);
    const events: SessionEvent[] = [];
    session.on('message', (d) => events.push(JSON.parse(String(d)) as SessionEvent));
    const viewer = await openStream(`${agent.wsUrl}/stream?token=${participant}`);
    try {
      await until(() => events.some((e) => e.type === 'hello'), 5_000, 'session hello');
      await until(() => viewer.reader.tags.some((t) => t.type === 9), 10_000, 'video');
      const before = await processes();

      const refused = await postJson(`${agent.url}/desktop/reset`, participant);
      expect(refused.status).toBe(403);
      expect(alive(typed)).toBe(true);

      const t0 = Date.now();
      const res = await postJson(`${agent.url}/desktop/reset`, owner);
      expect(res.status).toBe(202);
      await until(() => !alive(typed) && !alive(direct.pid!), 5_000, 'the jobs to end');
      await until(
        async () => {
          const h = (await agent.health()).body;
          const p = Object.fromEntries(h.processes.map((x) => [x.name, x]));
          return h.status === 'ok' && p.app!.pid !== before.app && p.wm!.pid !== before.wm;
        },
        10_000,
        'wm and app back',
      );
      const resetMs = Date.now() - t0;
      console.info(`desktop reset: POST -> wm and app back, /healthz ok in ${resetMs} ms`);
      expect(resetMs).toBeLessThan(5_000);
      const after = await processes();
      for (const name of ['xvfb', 'pulse', 'x11vnc', 'ffmpeg']) expect(after[name], name).toBe(before[name]);
      expect(uidOf(after.app!)).toBe(user.uid);
      expect(events.some((e) => e.type === 'desktop/reset' && e.by === 'owner-1')).toBe(true);
      expect(session.readyState).toBe(WebSocket.OPEN);
      // the same viewer keeps receiving video
      const tagsNow = viewer.reader.tags.length;
      await until(
        () => viewer.reader.tags.slice(tagsNow).some((t) => t.type === 9),
        5_000,
        'video after reset',
      );
      expect(viewer.ws.readyState).toBe(WebSocket.OPEN);
      // and the terminal is a fresh one: the home it started in is empty of the old session
      expect(pidsRunning(['sleep', '4242'])).toEqual([]);
    } finally {
      viewer.ws.close();
      session.close();
    }
  });
  it("plants symlinks in the desktop's dir: the next start neither writes nor chowns through them", async () => {
    const victims = mkdtempSync(join(tmpdir(), 'boxroom-victims-'));
    chmodSync(victims, 0o755);
    const victimFile = join(victims, 'file');
    const victimDir = join(victims, 'dir');
    writeFileSync(victimFile, 'untouched\n', { mode: 0o644 });
    mkdirSync(victimDir, { mode: 0o755 });
    const desktopDir = join(tmpdir(), `boxroom-desktop-${agent.roomId}-${agent.display}`);
    try {
      // as the desktop user: its cookie copy and its home (names it owns) become links to root's things
      const plant = await asDesktop(user, '/bin/sh', [
        '-c',
        'cd "$1" && rm -f xauthority && ln -s "$2" xauthority && mv home home.old && ln -s "$3" home',
        'plant',
        desktopDir,
        victimFile,
        victimDir,
      ]);
      expect(plant.stderr).toBe('');
      expect(plant.code).toBe(0);
      const before = await processes();
      const res = await postJson(`${agent.url}/desktop/reset`, await agent.token('owner-2', 'owner'));
      expect(res.status).toBe(202);
      await until(
        async () => {
          const h = (await agent.health()).body;
          return h.status === 'ok' && h.processes.find((x) => x.name === 'app')!.pid !== before.app;
        },
        10_000,
        'the desktop back',
      );
      expect(readFileSync(victimFile, 'utf8')).toBe('untouched\n');
      for (const v of [victimFile, victimDir]) expect(statSync(v).uid, v).toBe(0);
      const home = lstatSync(join(desktopDir, 'home'));
      expect(home.isDirectory()).toBe(true);
      expect(home.uid).toBe(user.uid);
      const cookie = lstatSync(join(desktopDir, 'xauthority'));
      expect(cookie.isFile()).toBe(true);
      expect(cookie.uid).toBe(user.uid);
      expect(cookie.mode & 0o777).toBe(0o600);
    } finally {
      rmSync(victims, { recursive: true, force: true });
    }
  });
});

describe('the agent under the container capability set', () => {
  it('needs only CHOWN, FOWNER, SETUID, SETGID and KILL (and no-new-privileges)', async () => {
    if (process.getuid?.() !== 0) throw new Error('this suite needs root');
    const user = ensureDesktopUser();
    const agent = await startAgent(
      { BOXROOM_APP: 'terminal', BOXROOM_WIDTH: '640', BOXROOM_HEIGHT: '480' },
      {
        wrapper: [
          'setpriv',
          '--bounding-set',
          '-all,+chown,+fowner,+setuid,+setgid,+kill',
          '--inh-caps',
          '-all',
          '--no-new-privs',
        ],
      },
    );
    try {
      const h = await agent.waitHealthy(30_000);
      expect(h.isolation).toBe('desktop-user');
      const status = readFileSync(`/proc/${agent.proc.pid}/status`, 'utf8');
      // CAP_CHOWN 0, CAP_FOWNER 3, CAP_KILL 5, CAP_SETGID 6, CAP_SETUID 7
      expect(/^CapEff:\s+(\S+)/m.exec(status)![1]).toBe('00000000000000e9');
      expect(/^NoNewPrivs:\s+(\d)/m.exec(status)![1]).toBe('1');
      const app = h.processes.find((p) => p.name === 'app')!;
      expect(uidOf(app.pid!)).toBe(user.uid);
      // the reset works with these capabilities too: the sweep, the chown of the fresh home
      const before = app.pid;
      const res = await postJson(`${agent.url}/desktop/reset`, await agent.token('o', 'owner'));
      expect(res.status).toBe(202);
      await until(
        async () => {
          const now = (await agent.health()).body;
          return now.status === 'ok' && now.processes.find((p) => p.name === 'app')!.pid !== before;
        },
        10_000,
        'the app back after the reset',
      );
    } finally {
      await agent.stop();
    }
    // and it cleaned up after itself: the desktop's dir (its home belongs to the desktop user) is gone
    expect(existsSync(join(tmpdir(), `boxroom-desktop-${agent.roomId}-${agent.display}`))).toBe(false);
  }, 60_000);
});

describe('a browser room as the desktop user', () => {
  it("keeps Chromium's own sandbox where the desktop user may create user namespaces", async () => {
    const user = ensureDesktopUser();
    const canSandbox =
      spawnSync('unshare', ['--user', 'true'], { uid: user.uid, gid: user.gid, cwd: '/' }).status === 0;
    const agent = await startAgent({ BOXROOM_APP: 'browser', BOXROOM_WIDTH: '640', BOXROOM_HEIGHT: '480' });
    try {
      const h = await agent.waitHealthy(40_000);
      const app = h.processes.find((p) => p.name === 'app')!;
      expect(uidOf(app.pid!)).toBe(user.uid);
      // Chromium's processes, all of the desktop's uid: the browser, its zygotes, GPU and utility processes
      const chromiumNow = () =>
        [app.pid!, ...descendantPids(app.pid!)].flatMap((pid) => {
          try {
            // the zygote's children rewrite their title: one string, the arguments joined by spaces
            const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
            if (!/^\/usr\/lib\/chromium\/chromium[\0 ]/.test(cmd)) return [];
            return [{ pid, args: cmd.split(/[\0 ]/), userns: readlinkSync(`/proc/${pid}/ns/user`) }];
          } catch {
            return [];
          }
        });
      // with its sandbox, the sandboxed zygote and its children live in a user namespace of their own
      const outside = readlinkSync(`/proc/${app.pid}/ns/user`);
      const chromium = await until(
        () => {
          const found = chromiumNow();
          return found.length >= 3 && (!canSandbox || found.some((p) => p.userns !== outside)) ? found : null;
        },
        20_000,
        "Chromium's processes",
      );
      for (const p of chromium) expect(uidOf(p.pid)).toBe(user.uid);
      expect(chromium.some((p) => p.args.includes('--no-sandbox'))).toBe(!canSandbox);
    } finally {
      await agent.stop();
    }
  }, 90_000);
});

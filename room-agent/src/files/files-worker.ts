import { spawn, type ChildProcess } from 'node:child_process';
import type { DesktopIdentity } from '../desktop/desktop-user.js';

/** Uploads stream into a name like this first and are renamed once complete: no partial file is ever seen. */
export const UPLOAD_TEMP_PREFIX = '.boxroom-upload-';

/**
 * The file operations, run as the desktop user (never as the agent): the desktop user owns the files
 * folder and may put anything there (a symlink to /etc/shadow, a FIFO, a name swapped mid-upload), so
 * whatever a planted name makes this process do, it does with that user's rights, which the desktop
 * already has. On top of that it opens nothing through a symlink (O_NOFOLLOW), reads only regular
 * files (O_NONBLOCK, then fstat: a FIFO must not hang it) and never writes the target name
 * directly: an upload goes to a fresh O_EXCL temp name and is renamed over the target only when fd 3
 * (the agent's control pipe) says `commit <bytes>` and exactly that many bytes arrived. A control pipe
 * that closes without it (the upload was aborted, over the cap, the agent died) removes the temp.
 *
 * Plain CommonJS for `node -e`: the agent's bundle cannot be re-entered as another uid.
 */
const WORKER_SCRIPT = String.raw`
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const [op, dir, name, a, b] = process.argv.slice(1);
const PREFIX = ${JSON.stringify(UPLOAD_TEMP_PREFIX)};
const C = fs.constants;
const out = (v) => process.stdout.write(JSON.stringify(v) + '\n');
// a read's stdout is the file: its failures go to stderr
const fail = (code, message) => {
  if (op === 'read') process.stderr.write(code + ': ' + message + '\n'); else out({ error: code, message });
  process.exit(2);
};
const openFile = () => {
  let fd;
  try { fd = fs.openSync(path.join(dir, name), C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK); }
  catch (e) { fail(e.code === 'ENOENT' ? 'not_found' : e.code === 'ELOOP' ? 'not_a_file' : 'io', e.code); }
  const st = fs.fstatSync(fd);
  if (!st.isFile()) fail('not_a_file', 'not a regular file');
  return [fd, st];
};
if (op === 'list') {
  // the folder may hold millions of names: read it as a stream and keep only the newest max
  // (every file still counts towards used: the quota is the whole folder's)
  const max = Number(name);
  let files = [];
  let used = 0, total = 0;
  const keep = () => {
    files.sort((x, y) => y.mtimeMs - x.mtimeMs || (x.name < y.name ? -1 : 1));
    if (files.length > max) files.length = max;
  };
  const folder = fs.opendirSync(dir);
  for (let d = folder.readSync(); d; d = folder.readSync()) {
    if (!d.isFile()) continue; // symlinks, folders, FIFOs: not the room's files
    let st;
    try { st = fs.lstatSync(path.join(dir, d.name)); } catch { continue; }
    if (!st.isFile()) continue;
    if (d.name.startsWith(PREFIX)) continue;
    used += st.size;
    total++;
    files.push({ name: d.name, size: st.size, mtimeMs: st.mtimeMs });
    if (files.length >= 2 * max) keep();
  }
  folder.closeSync();
  keep();
  out({ files, used, truncated: total > files.length });
} else if (op === 'stat') {
  const [fd, st] = openFile();
  fs.closeSync(fd);
  out({ size: st.size, mtimeMs: st.mtimeMs });
} else if (op === 'read') {
  const [fd] = openFile();
  fs.createReadStream('', { fd, start: Number(a), end: Number(b) }).pipe(process.stdout);
} else if (op === 'write') {
  const tmp = path.join(dir, PREFIX + process.pid + '-' + Date.now().toString(36));
  let fd;
  try { fd = fs.openSync(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, 0o644); }
  catch (e) { fail(e.code === 'ENOSPC' || e.code === 'EDQUOT' ? 'too_large' : 'io', e.code); }
  const drop = (code, message) => { try { fs.unlinkSync(tmp); } catch {} fail(code, message); };
  let bytes = 0, ended = false, control = '', settled = false;
  const file = fs.createWriteStream('', { fd, autoClose: false });
  const finish = () => {
    if (settled || !ended) return;
    const m = /^commit (\d+)\n/.exec(control);
    if (!m) return;
    settled = true;
    if (Number(m[1]) !== bytes) drop('bad_request', 'got ' + bytes + ' bytes, expected ' + m[1]);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    let existed = false;
    try { const st = fs.lstatSync(path.join(dir, name)); existed = true; if (st.isDirectory()) drop('conflict', 'a folder has that name'); } catch (e) { if (e.code !== 'ENOENT') drop('io', e.code); }
    try { fs.renameSync(tmp, path.join(dir, name)); } catch (e) { drop('io', e.code); }
    out({ result: existed ? 'replaced' : 'created', bytes });
  };
  process.stdin.on('data', (chunk) => { bytes += chunk.length; if (!file.write(chunk)) { process.stdin.pause(); file.once('drain', () => process.stdin.resume()); } });
  process.stdin.on('end', () => file.end(() => { ended = true; finish(); }));
  file.on('error', (e) => drop(e.code === 'ENOSPC' || e.code === 'EDQUOT' ? 'too_large' : 'io', e.code === 'ENOSPC' || e.code === 'EDQUOT' ? "the room's files folder is full" : e.code));
  const ctl = fs.createReadStream('', { fd: 3 });
  ctl.on('data', (c) => { control += c; finish(); });
  // commit may come (and fd 3 close) before stdin's end is read: only a close without it aborts
  ctl.on('close', () => { if (!settled && !/^commit /.test(control)) drop('aborted', 'the upload did not complete'); });
  ctl.on('error', () => { if (!settled) drop('aborted', 'the upload did not complete'); });
} else fail('bad_request', 'unknown op');
`;

export type WorkerOp = 'list' | 'stat' | 'read' | 'write';

/**
 * Starts one file operation as the desktop user (as the agent itself when there is none: then the
 * desktop already runs as the agent). stdin carries an upload's bytes, stdout the answer (a JSON
 * line, or a file's bytes for `read`), fd 3 the upload's commit.
 */
export function spawnFilesWorker(
  identity: DesktopIdentity,
  op: WorkerOp,
  args: readonly string[],
  nodeBin: string = process.execPath,
): ChildProcess {
  const user =
    identity.isolation === 'desktop-user' ? { uid: identity.user.uid, gid: identity.user.gid } : {};
  return spawn(nodeBin, ['-e', WORKER_SCRIPT, op, ...args], {
    ...user,
    cwd: '/',
    env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
    stdio: op === 'write' ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
}

import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';

/** Directories only the dashboard's user may enter. */
const PRIVATE_DIRS = ['.', 'keys'];
/** Files only the dashboard's user may read: the signing key, the invite key, the admin token, the webhook key. */
const SECRET_FILES = ['keys/token-ed25519.pem', 'keys/invite.key', 'admin-token', 'webhook-secret'];

export interface ModeFix {
  path: string;
  from: number;
  to: number;
}

/**
 * Make the data dir 0700 (and its keys dir) and every secret in it 0600, fixing what an older
 * version or a careless copy left wider. A room's desktop runs as another user (or, run as an
 * ordinary user, as this one: then nothing here helps, and the dashboard says so): the data dir
 * must be closed to it. Missing files are fine (generated later, 0600 from the start); a mode that
 * cannot be changed (not our file) is reported, not fatal.
 */
export async function secureDataDir(dataDir: string, log: Logger): Promise<ModeFix[]> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const fixes: ModeFix[] = [];
  const ensure = async (rel: string, mode: number, kind: 'dir' | 'file') => {
    const path = join(dataDir, rel);
    let from: number;
    try {
      const st = await stat(path);
      if (kind === 'dir' ? !st.isDirectory() : !st.isFile()) return;
      from = st.mode & 0o777;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if ((from & ~mode) === 0) return;
    try {
      await chmod(path, mode);
      fixes.push({ path, from, to: mode });
      log.warn({ path, from: octal(from), to: octal(mode) }, 'narrowed the mode of a data dir entry');
    } catch (err) {
      log.error({ path, mode: octal(from), err }, 'cannot narrow the mode of a data dir entry');
    }
  };
  for (const dir of PRIVATE_DIRS) await ensure(dir, 0o700, 'dir');
  for (const file of SECRET_FILES) await ensure(file, 0o600, 'file');
  return fixes;
}

const octal = (mode: number) => `0${mode.toString(8)}`;

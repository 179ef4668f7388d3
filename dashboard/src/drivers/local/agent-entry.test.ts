import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_BUNDLE, findAgentEntry } from './agent-entry.js';

describe('findAgentEntry', () => {
  const dirs: string[] = [];
  const tree = async () => {
    const d = await mkdtemp(join(tmpdir(), 'boxroom-entry-'));
    dirs.push(d);
    await mkdir(join(d, 'a', 'b'), { recursive: true });
    return d;
  };
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('is null when no folder above the starts holds a built agent', async () => {
    // the temporary directory is outside any checkout: nothing above it has room-agent/dist
    const d = await tree();
    expect(findAgentEntry([join(d, 'a', 'b')])).toBeNull();
  });

  it('finds the bundle in the nearest folder above a start', async () => {
    const d = await tree();
    await mkdir(join(d, 'a', 'room-agent', 'dist'), { recursive: true });
    await writeFile(join(d, 'a', AGENT_BUNDLE), '');
    expect(findAgentEntry([join(d, 'a', 'b')])).toBe(join(d, 'a', AGENT_BUNDLE));
  });
});

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseRange } from '../http/send-file.js';
import { recordingEntry } from '../store/state-store.suite.js';
import { RecordingLinkSigner } from './recording-links.js';
import { mediaTimeAt } from './recording-writer.js';
import { pickExpired, RecordingRetention } from './retention.js';

const DAY_MS = 24 * 3600 * 1000;

describe('retention', () => {
  const done = (id: string, startedAt: number, bytes: number) => ({
    ...recordingEntry(id, startedAt),
    state: 'complete' as const,
    endedAt: startedAt + 1000,
    bytes,
  });

  it('drops finished recordings past the age limit, never a running one', () => {
    const running = { ...recordingEntry('run', 0), bytes: 5 };
    const all = [done('old', 0, 1), done('new', 9 * DAY_MS, 1), running];
    const ids = pickExpired(all, { maxAgeS: 7 * 24 * 3600, maxBytes: 0, minFreeBytes: 0 }, 10 * DAY_MS);
    expect(ids.map((e) => e.id)).toEqual(['old']);
  });

  it('drops the oldest finished ones while all together exceed the cap', () => {
    const all = [
      done('a', 1, 40),
      done('b', 2, 40),
      done('c', 3, 40),
      { ...recordingEntry('run', 4), bytes: 30 },
    ];
    const ids = pickExpired(all, { maxAgeS: 0, maxBytes: 100, minFreeBytes: 0 }, 5);
    expect(ids.map((e) => e.id)).toEqual(['a', 'b']);
  });
});

describe('RecordingRetention', () => {
  const log = pino({ level: 'silent' });
  const finished = (id: string, startedAt: number, bytes: number) => ({
    ...recordingEntry(id, startedAt),
    state: 'complete' as const,
    endedAt: startedAt + 1000,
    bytes,
  });
  const retention = (entries: ReturnType<typeof recordingEntry>[], derived: Record<string, number>) => {
    const removed: string[] = [];
    const r = new RecordingRetention({
      store: { listRecordings: async () => entries },
      dir: '/nonexistent',
      limits: { maxAgeS: 0, maxBytes: 100, minFreeBytes: 0 },
      remove: async (id) => void removed.push(id),
      derivedBytes: async (id) => derived[id] ?? 0,
      log,
    });
    return { r, removed };
  };

  it("counts a recording's export and frames against the byte cap, not its segments alone", async () => {
    // 80 bytes of segments, under the cap; the MP4 export of `a` brings it over
    const { r, removed } = retention([finished('a', 1, 40), finished('b', 2, 40)], { a: 30 });
    expect(await r.sweep()).toEqual(['a']);
    expect(removed).toEqual(['a']);
  });

  it('stops running recordings whose segments and exports together exceed the cap', async () => {
    const running = { ...recordingEntry('run', 1), bytes: 60 };
    expect(await retention([running], {}).r.limit()).toBeNull();
    expect(await retention([running], { run: 50 }).r.limit()).toBe('byte-cap');
  });
});

describe('signed recording links', () => {
  let now = 1_000_000;
  const signer = new RecordingLinkSigner(Buffer.alloc(32, 7), 'https://box.example', 3600, () => now);

  it('hold for their recording until they run out', () => {
    const { exp, sig } = signer.sign('rec1');
    expect(exp).toBe(now + 3600);
    expect(signer.verify('rec1', String(exp), sig)).toBe(true);
    expect(signer.verify('rec2', String(exp), sig)).toBe(false);
    expect(signer.verify('rec1', String(exp + 1), sig)).toBe(false);
    expect(signer.verify('rec1', String(exp), `${sig.slice(0, -1)}A`)).toBe(false);
    now += 3601;
    expect(signer.verify('rec1', String(exp), sig)).toBe(false);
  });

  it('make play and download URLs under the public URL', () => {
    const links = signer.links('rec1');
    expect(links.play).toMatch(
      /^https:\/\/box\.example\/api\/recordings\/rec1\/play\.m3u8\?exp=\d+&sig=[\w-]+$/,
    );
    expect(links.download).toMatch(/^https:\/\/box\.example\/api\/recordings\/rec1\/download\?exp=/);
  });

  it('carry whom they were handed to, signed: another name or none breaks the signature', () => {
    const { exp, sig, by } = signer.sign('rec1', 'al@ice');
    expect(by).toBe('al@ice');
    expect(signer.verify('rec1', String(exp), sig, 'al@ice')).toBe(true);
    expect(signer.verify('rec1', String(exp), sig, 'bob')).toBe(false);
    expect(signer.verify('rec1', String(exp), sig)).toBe(false);
    expect(signer.verify('rec1', String(exp), signer.sign('rec1').sig, 'al@ice')).toBe(false);
    const play = new URL(signer.links('rec1', 'al@ice').play);
    expect(play.searchParams.get('by')).toBe('al@ice');
    expect(signer.verify('rec1', play.searchParams.get('exp'), play.searchParams.get('sig'), 'al@ice')).toBe(
      true,
    );
  });
});

describe('media time of a wall-clock moment', () => {
  const parts = [
    { n: 0, offsetS: 0, wallStartMs: 10_000 },
    { n: 1, offsetS: 5, wallStartMs: 30_000 },
  ];
  it('is the offset of the part being written then plus the time since its first frame', () => {
    expect(mediaTimeAt(parts, 9_000)).toBe(0);
    expect(mediaTimeAt(parts, 12_500)).toBe(2.5);
    expect(mediaTimeAt(parts, 31_000)).toBe(6);
    expect(mediaTimeAt([], 31_000)).toBe(0);
  });
});

describe('Range', () => {
  it('takes one range, open or suffix; refuses what the file cannot satisfy', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('bad');
    expect(parseRange('bytes=0-1,5-6', 100)).toBe('bad');
    expect(parseRange('items=0-1', 100)).toBe('bad');
  });
});

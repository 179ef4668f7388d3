import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { sleep } from '../../test/support/processes.js';
import { playPcm, sinePcm } from '../../test/support/room-sound.js';
import { roomSection } from '../lib/bench-section.js';
import { probeRegion } from '../lib/glass-to-glass.js';
import { audioOnsets, flashTimes, pairOffsetsMs } from '../lib/media-marks.js';
import { RoomMonitor } from '../lib/room-monitor.js';
import {
  recordAudioAppends,
  takeAudioAppends,
  takePlaybackLog,
  type PlaybackEvent,
} from '../lib/page-audio.js';
import { arm, waitHit } from '../lib/page-probe.js';
import { recordHeardOnsets, soundPath, takeHeardOnsets, type HeardOnset } from '../lib/page-sound.js';
import { FlvReader, isAacFrame } from '../../test/support/flv-reader.js';
import { summarize } from '../lib/stats.js';

const WHITE = 0xffffff;
const GREEN = 0x00ff00;

/**
 * A/V offset while unmuted: the probe window flashes white and a beep starts in the room's sink at the
 * same instant, `n` times. Two timelines are read: the room's stream (a WS-FLV reader's copy: the
 * first white frame's FLV timestamp against the first loud sample's), and the page's. With the sound
 * through Web Audio (the default where the browser can), the page's is when the flash frame is shown
 * (requestVideoFrameCallback's expectedDisplayTime) against when the beep's first loud sample is heard
 * (the start the page gave its AudioBufferSourceNode, carried to the wall clock by the context's
 * output timestamp); that also gives the sound's own latency, room sink -> heard (`sound_to_ear`).
 * With the sound in the element (`--player '{"sound":"element"}'`), the flash frame's media time
 * against the beep's onset in the audio the player appended to MSE, the timeline Chromium plays the
 * sound on and slaves the video to. Audio minus video, ms: positive is sound late.
 */
export const avsync = roomSection(
  {
    name: 'avsync',
    what: 'A/V offset while unmuted: a flash and a beep at one instant, in the stream and in the page',
    plan: { full: 40, quick: 12, smoke: 3 },
  },
  async (ctx, n, shared) => {
    const { room, rt, probe } = shared;
    const { page } = await shared.page();
    ctx.log(`A/V offset while unmuted, ${n} flashes with a beep`);
    const dir = mkdtempSync(join(tmpdir(), 'boxroom-avsync-'));
    ctx.cleanup.add('remove the avsync files', async () => rmSync(dir, { recursive: true, force: true }));
    const pulse = await rt.pulseServer();
    const monitor = new RoomMonitor(pulse);
    ctx.cleanup.add('stop the room monitor', async () => monitor.close());
    const flv: Buffer[] = [];
    const ws = new WebSocket(await ctx.rooms.streamWs(room, 'avsync'), { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    const tags = new FlvReader();
    /** when each tag arrived, on the wall clock the sink's onsets are on (FlvReader stamps Node's monotonic one) */
    const tagWallAt: number[] = [];
    ws.on('message', (d: Buffer) => {
      flv.push(d);
      tags.push(d);
      const now = Date.now();
      while (tagWallAt.length < tags.tags.length) tagWallAt.push(now);
    });
    ws.on('error', () => {});
    ctx.cleanup.add('close the avsync reader', async () => ws.terminate());

    await recordAudioAppends(page);
    await recordHeardOnsets(page);
    await page.locator('br-video-stage button.unmute').click();
    // Web Audio: the sound's clock settles; element: the player rebuilds with the audio track and the
    // live-edge controller settles on it
    await sleep(ctx.opts.mode === 'smoke' ? 2000 : 4000);
    const path = await soundPath(page);
    if (path === null) throw new Error('the page did not unmute');
    ctx.log(
      `  the page plays its sound ${path === 'webaudio' ? 'through Web Audio' : 'in the element (MSE)'}`,
    );

    const region = probeRegion(room.width, room.height);
    const beep = sinePcm(1000, 0.12);
    /** per sample: the flash's media time in the page (null: not seen), and how late it followed the beep */
    const pageFlashes: Array<number | null> = [];
    const skews: number[] = [];
    /** per sample: what the element did from arming to the hit (or the timeout) */
    const eventsBySample: PlaybackEvent[][] = [];
    const hitsAt: Array<number | null> = [];
    /** glass-to-glass of each flash seen, with the audio track playing */
    const unmutedG2g: number[] = [];
    /** the same per sample (null: the flash was not seen), to pair with the page's offset */
    const g2gBySample: Array<number | null> = [];
    /** Web Audio: when each beep was heard in the page (wall clock), and its onset at the room's sink */
    const heardAt: Array<number | null> = [];
    const heardRecords: HeardOnset[] = [];
    const onsets: number[] = [];
    await takePlaybackLog(page); // the settling's events are not a sample's
    for (let i = 0; i < n; i++) {
      await arm(page, { ...region, rgb: [255, 255, 255] });
      await takeHeardOnsets(page);
      const playing = playPcm(pulse, beep);
      const onset = await monitor.nextOnset(3000);
      if (onset === null) throw new Error('the beep did not reach the room sink in 3 s');
      const rep = await probe.fill(WHITE);
      skews.push(rep.doneAt - onset);
      const hit = await waitHit(page, 3000);
      pageFlashes.push(hit?.mediaTime ?? null);
      hitsAt.push(hit?.displayedAt ?? null);
      if (hit) unmutedG2g.push(hit.displayedAt - rep.doneAt);
      g2gBySample.push(hit ? hit.displayedAt - rep.doneAt : null);
      if (!hit) ctx.miss('av_offset_page');
      onsets.push(onset);
      await playing;
      await sleep(150);
      const heard = (await takeHeardOnsets(page))[0] ?? null;
      if (heard) heardRecords.push(heard);
      heardAt.push(heard?.heardAt ?? null);
      if (path === 'webaudio' && !heard) ctx.miss('sound_to_ear');
      await probe.fill(GREEN);
      await sleep(700 + Math.random() * 500);
      eventsBySample.push(await takePlaybackLog(page));
    }
    await sleep(1000);
    ws.terminate();
    const { mp4, events } = await takeAudioAppends(page);
    // what the player's audio path repaired: in the element, silence where the stream skipped and late
    // frames dropped; through Web Audio, frames too late (a short silence) and left out, and the lead
    const audioRepairs = await page.evaluate(() => {
      const st = (
        document.querySelector('br-room-page') as unknown as {
          stats: {
            audioFilled: number;
            audioDropped: number;
            soundLate: number;
            soundDropped: number;
            soundLeadMs: number;
          } | null;
        }
      ).stats;
      return st
        ? {
            filled: st.audioFilled,
            dropped: st.audioDropped,
            soundLate: st.soundLate,
            soundDropped: st.soundDropped,
            soundLeadMs: st.soundLeadMs,
          }
        : null;
    });
    await page.locator('br-video-stage .bar button[aria-label=Mute]').click();
    monitor.close();
    // muted again, the player keeps its audio track and reserve: the sections after this one get a
    // new page, muted and video-only, as a viewer who never unmuted has
    await shared.closePage();

    const flvFile = join(dir, 'stream.flv');
    const mp4File = join(dir, 'page-audio.mp4');
    writeFileSync(flvFile, Buffer.concat(flv));
    writeFileSync(mp4File, mp4);
    // the flash came `skew` ms after the beep reached the sink: an offset of -skew is perfect sync
    const streamFlashes = await flashTimes(flvFile, region);
    if (streamFlashes.length !== n)
      throw new Error(`${streamFlashes.length} flashes in the stream, ${n} made`);
    const flvOnsets = await audioOnsets(flvFile);
    const stream = corrected(pairOffsetsMs(streamFlashes, flvOnsets), skews);
    const inPage =
      path === 'webaudio'
        ? heardAt.map((h, i) => {
            const shown = hitsAt[i];
            return h === null || shown === null || shown === undefined ? null : h - shown + skews[i]!;
          })
        : corrected(pairOffsetsMs(pageFlashes, await audioOnsets(mp4File)), skews);
    for (const x of stream) if (x === null) ctx.miss('av_offset_stream');
    const found = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null);
    ctx.add(
      {
        key: 'av_offset_stream',
        label: "A/V offset in the room's stream, |audio - video| (FLV timestamps)",
        unit: 'ms',
      },
      found(stream).map(Math.abs),
    );
    ctx.add(
      {
        key: 'av_offset_page',
        label:
          path === 'webaudio'
            ? 'A/V offset while unmuted, |audio - video| in the page (Web Audio: heard vs shown)'
            : 'A/V offset while unmuted, |audio - video| in the page (sound in the element: media times)',
        unit: 'ms',
        target: { p95: 40 },
      },
      found(inPage).map(Math.abs),
    );
    // how unevenly the sound reaches a viewer: what the page's audio reserve has to cover
    const aac = tags.tags.filter(isAacFrame).map((t) => t.receivedAt - t.timestamp);
    const least = aac.length ? Math.min(...aac) : 0;
    ctx.add(
      {
        key: 'audio_arrival_spread',
        label: 'sound at a WS reader: arrival - timestamp, above the least (ms)',
        unit: 'ms',
      },
      aac.map((x) => x - least),
    );
    ctx.add(
      {
        key: 'g2g_720p30_unmuted',
        label:
          path === 'webaudio'
            ? 'glass-to-glass 1280x720@30 while unmuted (the flash; sound through Web Audio)'
            : 'glass-to-glass 1280x720@30 while unmuted (the flash; the element keeps an audio reserve)',
        unit: 'ms',
      },
      unmutedG2g,
    );
    // the sound's own trip to a viewer: the beep's onset at the room's sink -> the AAC tag holding its
    // onset in the stream reaches the WS reader (its receive stamps are Node's performance clock)
    const aacAt = tags.tags.flatMap((t, i) =>
      isAacFrame(t) ? [{ timestamp: t.timestamp, at: tagWallAt[i]! }] : [],
    );
    const arrivals = flvOnsets.flatMap((s) => {
      const ms = s * 1000;
      // the frame holding the onset: the last one stamped at or before it
      let holder: { at: number } | null = null;
      for (const t of aacAt) if (t.timestamp <= ms) holder = t;
      return holder ? [holder.at] : [];
    });
    const atReader = onsets.flatMap((o) => {
      const a = arrivals.find((x) => x > o && x < o + 2000);
      return a === undefined ? [] : [a - o];
    });
    ctx.add(
      {
        key: 'sound_at_reader',
        label: "sound: the room's sink -> the AAC frame at a WS reader",
        unit: 'ms',
      },
      atReader,
    );
    // in the element the beep is heard at the flash's display plus the page's (signed) A/V offset: the
    // element plays sound and picture on one media clock
    const toEar =
      path === 'webaudio'
        ? heardAt.flatMap((h, i) => (h === null ? [] : [h - onsets[i]!]))
        : g2gBySample.flatMap((g, i) => {
            const x = inPage[i];
            return g === null || x === null || x === undefined ? [] : [g + x];
          });
    ctx.add(
      {
        key: 'sound_to_ear',
        label:
          path === 'webaudio'
            ? "sound: the room's sink -> heard in the page (Web Audio output timestamp)"
            : "sound: the room's sink -> heard in the page (element: the flash's display + the A/V offset)",
        unit: 'ms',
      },
      toEar,
    );
    // signed, so a constant lead or lag shows, and what the element did meanwhile (rate changes, stalls)
    ctx.details.avsync = {
      signedMs: { stream: summarize(found(stream)), page: summarize(found(inPage)) },
      samplesMs: { stream: stream.map(round), page: inPage.map(round) },
      flashAfterBeepMs: summarize(skews),
      sound: path,
      heard: heardRecords.map((h) => ({ leadMs: round(h.leadMs), untilHeardMs: round(h.untilHeardMs) })),
      playback: events,
      audioRepairs,
      eventsBySample,
    };
    ctx.log(
      `  signed (audio - video) ms: stream ${stream.map(round).join(' ')}; page ${inPage.map(round).join(' ')}`,
    );
    if (path === 'webaudio')
      ctx.log(
        `  Web Audio, each beep's lead / scheduled -> heard (ms): ${heardRecords.map((h) => `${round(h.leadMs)}/${round(h.untilHeardMs)}`).join(' ')}`,
      );
    ctx.log(
      `  while unmuted: ${JSON.stringify(events)}; audio frames filled / dropped: ${JSON.stringify(audioRepairs)}`,
    );
    // a page offset the stream did not have: what the element did around that flash
    inPage.forEach((x, i) => {
      const s = stream[i];
      if (x === null || s === null || s === undefined || Math.abs(x - s) <= 20) return;
      const evs = eventsBySample[i] ?? [];
      const hitAt = hitsAt[i];
      const line = evs
        .map(
          (e) =>
            `${e.type}@${hitAt ? e.at - Math.round(hitAt) : e.at} ct=${e.currentTime.toFixed(3)} rate=${e.playbackRate} end=${e.bufferedEnd?.toFixed(3)}`,
        )
        .join('; ');
      ctx.log(
        `  flash ${i}: page ${round(x)} stream ${round(s)}, media ${pageFlashes[i]?.toFixed(3)}; events (ms from the hit): ${line || 'none'}`,
      );
    });
  },
);

const round = (x: number | null) => (x === null ? null : Math.round(x));
const corrected = (xs: Array<number | null>, skews: number[]) =>
  xs.map((x, i) => (x === null ? null : x + skews[i]!));

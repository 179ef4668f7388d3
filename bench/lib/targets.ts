/**
 * The project's latency and cost targets, in one place (docs/decisions.md, "Performance targets"):
 * each section marks its metric met or not against these. The second latency round (issue 18) set
 * them; a target counts as met when two full runs in a row meet it.
 */
export const TARGETS = {
  g2g: {
    '720p30': { p50: 40, p95: 65 },
    '1080p30': { p50: 50, p95: 80 },
  } as Readonly<Record<string, { p50: number; p95: number }>>,
  inputToPhoton: { p50: 40, p95: 65 },
  /** a returning participant (remembered name); the first visit goes through the name form */
  join: { p50: 250 },
  joinFirstVisit: { p50: 400 },
  /** create -> first frame in Chromium, Docker; from the warm pool on either driver */
  coldDocker: { p50: 1500 },
  coldFromPool: { p50: 400 },
  /** browser glass-to-glass with 100 WS readers on the room */
  fanout100: { p95: 90 },
  /** an idle room, all its processes, % of a core */
  idleCpu: { p50: 3 },
  /** our 720p30 glass-to-glass p50 over HLS's (hls.js defaults), at most */
  hlsRatio: 0.01,
} as const;

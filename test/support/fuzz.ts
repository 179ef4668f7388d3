/**
 * Seeded generators for the fuzz tests of the dashboard and the agent: random and mutated JSON
 * bodies (from a route's own JSON schema), header values, query strings and raw bytes. One seed
 * replays a whole run: every choice comes from `Rng`.
 */

/** mulberry32: small, fast and good enough to spread cases; the same seed gives the same cases. */
export class Rng {
  private s: number;
  constructor(readonly seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** The run's seed: `BOXROOM_FUZZ_SEED` when set (to replay a failure), else a fresh one. */
export function fuzzSeed(): number {
  const env = process.env.BOXROOM_FUZZ_SEED;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isSafeInteger(n)) throw new Error(`BOXROOM_FUZZ_SEED must be an integer, not "${env}"`);
    return n >>> 0;
  }
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

/** encodeURIComponent that takes lone surrogates (it throws on them) as U+FFFD. */
export function enc(s: string): string {
  return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
}

/** Odd strings: empty, huge, control characters, bidi, surrogates, path tricks, markup, numbers. */
export function oddString(r: Rng): string {
  return r.pick([
    () => '',
    () => 'x'.repeat(r.int(300)),
    () => 'y'.repeat(10_000 + r.int(60_000)),
    () => '\u0000\u0001\u001f',
    () => '\u202e<script>alert(1)</script>',
    () => '\ud800',
    () => '../../etc/passwd',
    () => '%00%ff%2e%2e',
    () => ' ',
    () => '-1',
    () => '1e309',
    () => 'NaN',
    () => 'null',
    () => '__proto__',
    () => 'constructor',
    () => r.bytes(r.int(40)).toString('latin1'),
    () => '\u00e9\u{1f600}',
  ])();
}

/** Any JSON value, biased to the troublesome ones. */
export function randomJson(r: Rng, depth = 0): unknown {
  const leaf = [
    () => null,
    () => r.chance(0.5),
    () => r.pick([0, -1, 1, 1.5, -0.0, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, 320, 3840, 60]),
    () => oddString(r),
  ];
  if (depth > 3 || r.chance(0.6)) return r.pick(leaf)();
  if (r.chance(0.5)) return Array.from({ length: r.int(5) }, () => randomJson(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = r.int(5); i > 0; i--)
    o[r.chance(0.3) ? oddString(r) : randomKey(r)] = randomJson(r, depth + 1);
  return o;
}

const KEYS = [
  'name',
  'width',
  'height',
  'fps',
  'app',
  'invite',
  'participantId',
  'timeouts',
  'maxAgeS',
  'idleS',
  'role',
  'token',
  'type',
  't',
  'kicked',
  'revoked',
  '__proto__',
  'constructor',
];
const randomKey = (r: Rng): string => r.pick(KEYS);

/** The subset of JSON Schema (as TypeBox and fastify-swagger emit it) that sampleOf understands. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
}

/** A value that (mostly) satisfies the schema: the starting point the mutations spoil. */
export function sampleOf(r: Rng, s: JsonSchema | undefined, hints: Record<string, unknown> = {}): unknown {
  if (!s) return {};
  if (s.const !== undefined) return s.const;
  if (s.enum) return r.pick(s.enum);
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length) return sampleOf(r, r.pick(alt), hints);
  if (s.allOf?.length) return sampleOf(r, s.allOf[0], hints);
  const type = Array.isArray(s.type) ? r.pick(s.type) : s.type;
  switch (type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const [k, sub] of Object.entries(s.properties ?? {})) {
        if (!s.required?.includes(k) && r.chance(0.4)) continue;
        o[k] = k in hints ? hints[k] : sampleOf(r, sub, hints);
      }
      return o;
    }
    case 'array':
      return Array.from({ length: r.int(3) }, () => sampleOf(r, s.items, hints));
    case 'integer':
    case 'number': {
      if (s.default !== undefined && r.chance(0.5)) return s.default;
      const lo = s.minimum ?? 0;
      const hi = s.maximum ?? lo + 1000;
      const m = s.multipleOf ?? (type === 'integer' ? 1 : 0.5);
      return Math.min(hi, Math.ceil((lo + r.int(Math.max(1, hi - lo))) / m) * m);
    }
    case 'boolean':
      return r.chance(0.5);
    case 'null':
      return null;
    case 'string':
      return 'fuzz'.padEnd(Math.max(s.minLength ?? 1, 4), 'z').slice(0, s.maxLength ?? 64);
    default:
      return {};
  }
}

/** One mutation of a JSON value: a key dropped, spoiled or added, a type swapped, a wrapper. */
export function mutateJson(r: Rng, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && r.chance(0.7)) {
    const o = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(o);
    const op = r.int(4);
    if (op === 0 && keys.length) delete o[r.pick(keys)];
    else if (op === 1 && keys.length) o[r.pick(keys)] = randomJson(r);
    else if (op === 2 && keys.length) {
      const k = r.pick(keys);
      o[k] = mutateJson(r, o[k]);
    } else o[r.chance(0.5) ? randomKey(r) : oddString(r)] = randomJson(r);
    return o;
  }
  return r.pick([
    () => randomJson(r),
    () => [v],
    () => ({ v }),
    () => (typeof v === 'number' ? String(v) : typeof v === 'string' ? Number(v) : null),
    () => (typeof v === 'number' ? v + r.pick([-1, 1, 0.5, 1e9]) : v),
    () => (typeof v === 'string' ? v + oddString(r) : v),
  ])();
}

/** A request body as text: JSON of a value, sometimes cut short, byte-flipped or not JSON at all. */
export function bodyText(r: Rng, v: unknown): string {
  const json = JSON.stringify(v) ?? 'null';
  return r.pick([
    () => json,
    () => json,
    () => json.slice(0, r.int(json.length + 1)),
    () => {
      const b = Buffer.from(json);
      if (b.length) b[r.int(b.length)] = r.int(256);
      return b.toString('latin1');
    },
    () => r.pick(['', '{', '[1,2', 'null', '"s"', '{"a":1}{"b":2}', '\ufeff{}', '{"__proto__":{"x":1}}']),
    () => `{"name":"${'z'.repeat(70_000)}"}`,
  ])();
}

/** Authorization header values: the given valid ones, and malformed, oversized and odd variants. */
export function authorizationOf(r: Rng, valid: string[]): string | undefined {
  const t = r.pick(valid);
  return r.pick([
    () => undefined,
    () => `Bearer ${t}`,
    () => `Bearer ${t}`,
    () => `bearer ${t}`,
    () => t,
    () => `Bearer  ${t} `,
    () => `Bearer ${t.slice(0, r.int(t.length + 1))}`,
    () => `Bearer ${t}x`,
    () => {
      // one base64url character of the token swapped: a signature, header or claims spoiled
      const i = r.int(Math.max(1, t.length));
      return `Bearer ${t.slice(0, i)}${r.pick(['A', '_', '-', '.', 'z'])}${t.slice(i + 1)}`;
    },
    () => 'Bearer',
    () => 'Bearer ',
    () => 'Basic YWRtaW46YWRtaW4=',
    () => `Bearer ${'x'.repeat(8000 + r.int(8000))}`,
    () => `Bearer a.b.c`,
    () => `Bearer eyJhbGciOiJub25lIn0.eyJyb29tIjoieCIsInJvbGUiOiJvd25lciJ9.`,
    () => `Bearer ${oddString(r).replace(/[^\x20-\x7e]/g, '?')}`,
  ])();
}

/** Extra headers: odd content types, lengths of nothing, forwarded chains, huge and repeated values. */
export function extraHeaders(r: Rng): Record<string, string> {
  const h: Record<string, string> = {};
  for (let i = r.int(3); i > 0; i--) {
    const [k, v] = r.pick<[string, () => string]>([
      [
        'content-type',
        () =>
          r.pick([
            'application/json',
            'text/plain',
            'application/json; charset=latin1',
            '',
            'a/b',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
          ]),
      ],
      ['x-forwarded-for', () => r.pick(['1.2.3.4', '::1, 10.0.0.1', 'x'.repeat(4000), ', ,', '999.1.1.1'])],
      ['x-forwarded-proto', () => r.pick(['https', 'gopher', ''])],
      ['x-forwarded-host', () => r.pick(['evil.test', 'a:b:c', ''])],
      ['host', () => r.pick(['box.test', 'evil.test:99999', '[::1]', 'a'.repeat(300)])],
      ['origin', () => r.pick(['http://evil.test', 'null', ''])],
      ['accept', () => r.pick(['*/*', 'text/html', 'application/json;q=0', 'x'.repeat(2000)])],
      ['accept-encoding', () => r.pick(['gzip', 'br, deflate', 'identity;q=0', '*'])],
      ['range', () => r.pick(['bytes=0-1', 'bytes=-5', 'bytes=9999999999-', 'x'])],
      ['if-none-match', () => r.pick(['*', '"x"', 'W/""'])],
      ['cookie', () => r.pick(['a=b', '=', ';;;', 'x'.repeat(3000)])],
      ['user-agent', () => oddString(r).replace(/[^\x20-\x7e]/g, '')],
      ['x-fuzz', () => 'v'.repeat(r.int(12_000))],
    ]);
    h[k] = v();
  }
  return h;
}

/** A query string (with its `?`, or empty): real parameters with odd values, repeats and junk. */
export function queryOf(r: Rng, tokens: string[]): string {
  const parts: string[] = [];
  for (let i = r.int(4); i > 0; i--) {
    const k = r.pick(['token', 'token', 'since', 'wait', 'x', '', '__proto__', 'a[b]', '%zz']);
    const v = r.pick([
      () => enc(r.pick(tokens)),
      () => r.pick(['-1', '0', '1e9', 'NaN', '999999999999999999999', '5', '10001', ''])!,
      () => enc(oddString(r).slice(0, 2000)),
      () => '%' + r.pick(['', 'z', 'e9', 'c3%28']),
    ])();
    parts.push(r.chance(0.1) ? k : `${k}=${v}`);
  }
  if (!parts.length && r.chance(0.5)) return '';
  return '?' + parts.join(r.chance(0.9) ? '&' : ';');
}

/** Counts what came back, for the summary line and to show the fuzz reached the handlers. */
export class Tally {
  readonly statuses = new Map<string, number>();
  add(key: string | number): void {
    this.statuses.set(String(key), (this.statuses.get(String(key)) ?? 0) + 1);
  }
  get(key: string | number): number {
    return this.statuses.get(String(key)) ?? 0;
  }
  some(pred: (key: string) => boolean): boolean {
    return [...this.statuses.keys()].some(pred);
  }
  toString(): string {
    return [...this.statuses.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k}:${n}`)
      .join(' ');
  }
}

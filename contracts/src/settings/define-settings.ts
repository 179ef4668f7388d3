/**
 * Settings as data: every BOXROOM_* variable a process reads is one entry of a table (its type,
 * default, bounds, the processes that read it and the sentence the docs show), and the one loader
 * of each process reads the environment through that table. The docs tables are rendered from the
 * same entries (settings-table.ts), so a setting cannot exist without its documentation.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface Common<P extends string> {
  /** what the docs say it does (one line, no `|`) */
  readonly doc: string;
  /** the processes whose loader reads it */
  readonly processes: readonly P[];
  /** the default as the docs show it, when the value alone says too little (computed ones) */
  readonly docDefault?: string;
}

export interface IntSetting<P extends string> extends Common<P> {
  readonly type: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** a rule beyond the bounds: the error's text, or null */
  readonly check?: (value: number) => string | null;
}

/** a decimal number (cores per room) */
export interface NumberSetting<P extends string> extends Common<P> {
  readonly type: 'number';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

export interface EnumSetting<P extends string, V extends string = string> extends Common<P> {
  readonly type: 'enum';
  readonly values: readonly V[];
  readonly default: V;
}

/** free text; '' counts as unset; null default: none */
export interface StringSetting<P extends string> extends Common<P> {
  readonly type: 'string';
  readonly default: string | null;
  /** how a value must look, and what the error says when it does not */
  readonly pattern?: { readonly re: RegExp; readonly like: string };
  readonly check?: (value: string) => string | null;
}

/** a comma-separated list, items trimmed, empty ones dropped */
export interface ListSetting<P extends string> extends Common<P> {
  readonly type: 'list';
  readonly check?: (item: string) => string | null;
}

export type Setting<P extends string = string> =
  IntSetting<P> | NumberSetting<P> | EnumSetting<P> | StringSetting<P> | ListSetting<P>;

export type SettingsTable<P extends string = string> = Readonly<Record<`BOXROOM_${string}`, Setting<P>>>;

/** The value a setting parses to. */
export type ValueOf<S> = S extends { type: 'int' | 'number' }
  ? number
  : S extends EnumSetting<string, infer V>
    ? V
    : S extends { type: 'list' }
      ? readonly string[]
      : S extends { type: 'string'; default: string }
        ? string
        : string | null;

/**
 * Keeps the literal types of a table (enum values, string defaults) for ValueOf; the first argument
 * names the processes its entries may list (for the type checker only).
 */
export function defineSettings<P extends string, const T extends SettingsTable<P>>(
  _readers: readonly P[],
  table: T,
): T {
  return Object.freeze(table);
}

function parseInteger(name: string, s: IntSetting<string>, raw: string): number {
  if (!(s.min < 0 ? /^-?\d+$/ : /^\d+$/).test(raw))
    throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < s.min || n > s.max)
    throw new ConfigError(`${name} must be between ${s.min} and ${s.max}, got ${n}`);
  return n;
}

function parse(name: string, s: Setting, raw: string | undefined): unknown {
  if (s.type === 'list') {
    const items = (raw ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    for (const item of items) {
      const why = s.check?.(item);
      if (why) throw new ConfigError(`${name}: "${item}" ${why}`);
    }
    return Object.freeze(items);
  }
  if (raw === undefined || raw === '') return s.default;
  switch (s.type) {
    case 'int': {
      const n = parseInteger(name, s, raw);
      const why = s.check?.(n);
      if (why) throw new ConfigError(`${name} ${why}, got ${n}`);
      return n;
    }
    case 'number': {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < s.min || n > s.max)
        throw new ConfigError(`${name} must be a number from ${s.min} to ${s.max}, got "${raw}"`);
      return n;
    }
    case 'enum':
      if (!s.values.includes(raw))
        throw new ConfigError(`${name} must be one of ${s.values.join(', ')}, got "${raw}"`);
      return raw;
    case 'string': {
      // a check's message never repeats the value: secrets (tokens, keys) are checked there
      if (s.pattern && !s.pattern.re.test(raw))
        throw new ConfigError(`${name} must be ${s.pattern.like}, got "${raw}"`);
      const why = s.check?.(raw);
      if (why) throw new ConfigError(`${name} ${why}`);
      return raw;
    }
  }
}

/** The names of a table read by reader P. */
export type NamesFor<T extends SettingsTable, P extends string> = {
  [K in keyof T]: T[K] extends { processes: readonly (infer Q)[] } ? (P extends Q ? K : never) : never;
}[keyof T];

/**
 * The values of every setting the process `reader` reads, by variable name, validated (a bad value
 * throws a ConfigError naming the variable). Called by each process's loader, and nowhere else.
 */
export function readSettings<T extends SettingsTable, P extends string>(
  table: T,
  env: Env,
  reader: P,
): { readonly [K in NamesFor<T, P>]: ValueOf<T[K]> } {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(table) as [string, Setting][]) {
    if (s.processes.includes(reader)) out[name] = parse(name, s, env[name]);
  }
  return Object.freeze(out) as { readonly [K in NamesFor<T, P>]: ValueOf<T[K]> };
}

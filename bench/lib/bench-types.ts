import type { ChaosResult } from './chaos.js';
import type { RelayResult } from './relay.js';
import type { Summary } from './stats.js';

export type BenchMode = 'full' | 'quick' | 'smoke';
export type Driver = 'local' | 'docker';

/** A section's sample counts (or windows) per mode: quick keeps the whole quick run under three minutes
 * on 2 cores; smoke only proves the section runs. */
export type Plan<T> = Readonly<Record<BenchMode, T>>;

export interface BenchOptions {
  driver: Driver;
  mode: BenchMode;
  /** run only these sections (default: all but those run on request) */
  only?: readonly string[];
  /** player settings stored in the pages' localStorage before they load (A/B of the player) */
  player?: Record<string, unknown>;
  /** g2gfirefox also watches Firefox's screenshots of each change (`--screenshots`) */
  screenshots?: boolean;
  /** the chaos section's PRNG seed (`--seed`) */
  seed?: number;
  /** the bundles and the web UI are built already (the smoke test's globalSetup built them) */
  prebuilt?: boolean;
  log?: (line: string) => void;
}

export interface Metric extends Summary {
  key: string;
  label: string;
  unit: 'ms' | '% of a core' | 'MiB';
  /** the project's target, where there is one (docs/decisions.md, "Performance targets") */
  target?: { p50?: number; p95?: number };
  met?: boolean | null;
}

export interface BenchResult {
  at: string;
  commit: string;
  command: string;
  driver: Driver;
  mode: BenchMode;
  /** BOXROOM_CAPTURE as passed to the rooms (the agent's capture path) */
  capture: string;
  /** player settings the pages ran with, when not the defaults (--player) */
  player?: Record<string, unknown>;
  /** sections run, when not all (--only) */
  only?: readonly string[];
  machine: { cpus: number; model: string; loadavg: number[] };
  metrics: Metric[];
  /** our 720p30 glass-to-glass p50 / HLS's */
  hlsRatio: number | null;
  /** where the glass-to-glass time goes, per configuration */
  breakdown: Record<string, Record<string, Summary>>;
  /** other stage timings (join, cold start) and per-process CPU */
  details: Record<string, unknown>;
  misses: Record<string, number>;
  /** sections that failed, by name (the others still report) */
  errors: Record<string, string>;
  /** the chaos section's figures (`--only chaos`) */
  chaos?: ChaosResult;
  /** the relay section's figures (`--only relay`) */
  relay?: RelayResult;
  durationS: number;
}

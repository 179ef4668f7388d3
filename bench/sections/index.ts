import type { BenchSection } from '../lib/bench-section.js';
import { avsync } from './avsync.js';
import { chaos } from './chaos.js';
import { cold } from './cold.js';
import { fanout } from './fanout.js';
import { g2g1080 } from './g2g1080.js';
import { g2g720 } from './g2g720.js';
import { g2gfirefox } from './g2gfirefox.js';
import { hls } from './hls.js';
import { idle } from './idle.js';
import { input } from './input.js';
import { join } from './join.js';
import { recording } from './recording.js';
import { relay } from './relay.js';
import { shaped } from './shaped.js';

/**
 * The sections of `npm run bench`, in the order they run. Those on the shared 720p30 room
 * (`room: 'shared'`) stand together: the room is made before the first and deleted after the last.
 */
export const SECTIONS: readonly BenchSection[] = [
  cold,
  join,
  g2g720,
  g2gfirefox,
  input,
  avsync,
  fanout,
  shaped,
  hls,
  idle,
  recording,
  g2g1080,
  chaos,
  relay,
];

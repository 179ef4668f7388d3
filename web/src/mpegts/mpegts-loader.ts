// The player's mpegts.js, from its sources (see README.md here): its remuxer class is reachable only
// that way, and our remux patch is installed on it before any player exists.
import Mpegts from 'mpegts.js/src/mpegts.js';
import MP4Remuxer from 'mpegts.js/src/remux/mp4-remuxer.js';
import { installLowLatencyRemux } from './low-latency-remux.js';

installLowLatencyRemux(MP4Remuxer.prototype);

export { Mpegts };

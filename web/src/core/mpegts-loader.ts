import Mpegts from 'mpegts.js/src/mpegts.js';
import MP4Remuxer from 'mpegts.js/src/remux/mp4-remuxer.js';
import { installLowLatencyRemux } from './low-latency-remux.js';

installLowLatencyRemux(MP4Remuxer.prototype);

export { Mpegts };

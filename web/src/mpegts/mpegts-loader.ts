// The player's mpegts.js, from its sources (see README.md here): its remuxer and demuxer classes are
// reachable only that way, and our patches are installed on them before any player exists.
import Mpegts from 'mpegts.js/src/mpegts.js';
import FLVDemuxer from 'mpegts.js/src/demux/flv-demuxer.js';
import MP4Remuxer from 'mpegts.js/src/remux/mp4-remuxer.js';
import { installAacConfig } from './aac-config.js';
import { installAudioTap } from './audio-tap.js';
import { installLowLatencyRemux } from './low-latency-remux.js';

installLowLatencyRemux(MP4Remuxer.prototype);
installAacConfig(FLVDemuxer.prototype);
installAudioTap(FLVDemuxer.prototype);

export { Mpegts };

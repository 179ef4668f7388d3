import type { Decoder } from '../webcodecs/decoder-choice.js';

/** What the player controller reports about the stream it plays (the latency readout, the bench). */
export interface PlayerStats {
  framesPresented: number;
  /** buffered.end - currentTime on the last frame, ms */
  lagMs: number;
  /** its minimum over the controller's window */
  floorMs: number;
  playbackRate: number;
  seeks: number;
  /** jumps out of a stall to a frame that was not presented (see STALL_KICK_MS in player-controller.ts) */
  kicks: number;
  width: number;
  height: number;
  /** the player of the current build (null before the first) */
  decoder: Decoder | null;
  /** WebCodecs only: encoded frames left out because the decoder was behind */
  dropped: number;
  /** MSE with sound: silent AAC frames put where the stream skipped time, and frames dropped that came late */
  audioFilled: number;
  audioDropped: number;
  /** where the sound plays while unmuted (null: muted) */
  sound: 'webaudio' | 'element' | null;
  /** Web Audio: how far ahead of the audio clock the last sound frame was scheduled, ms */
  soundLeadMs: number;
  /** Web Audio: sound frames that came too late (a short silence), and frames left out */
  soundLate: number;
  soundDropped: number;
}

export const emptyPlayerStats = (): PlayerStats => ({
  framesPresented: 0,
  lagMs: 0,
  floorMs: 0,
  playbackRate: 1,
  seeks: 0,
  kicks: 0,
  width: 0,
  height: 0,
  decoder: null,
  dropped: 0,
  audioFilled: 0,
  audioDropped: 0,
  sound: null,
  soundLeadMs: 0,
  soundLate: 0,
  soundDropped: 0,
});

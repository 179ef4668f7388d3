import { audioPacket } from './flv-codec-packets.js';

export interface AacTagDecoderEvents {
  /** a decoded frame; the receiver closes it */
  output(data: AudioData): void;
  /** the sound cannot be decoded here (called once; nothing is decoded after it) */
  refused(why: string): void;
}

/** Decoder errors in a row (no frame decoded in between) before the sound is refused. */
const MAX_FAILURES = 3;

/**
 * FLV AAC tags into AudioDecoder, for the Web Audio sound (web/src/sound/) and the WebCodecs player's
 * sound in the element. The sequence header configures it (a different one reconfigures); each raw
 * frame is decoded with its tag's timestamp. A config it cannot read or take, a codec it does not
 * support, or failures MAX_FAILURES frames in a row: `refused`. One failed frame closes the platform's
 * decoder: a new one goes on with the same config.
 */
export class AacTagDecoder {
  private decoder: AudioDecoder | null = null;
  private configKey = '';
  private config: AudioDecoderConfig | null = null;
  private failures = 0;
  private closed = false;

  constructor(private readonly on: AacTagDecoderEvents) {}

  /** One audio tag's body (a view valid for the call: EncodedAudioChunk copies it) and timestamp. */
  push(body: Uint8Array, timestampMs: number): void {
    if (this.closed) return;
    let p: ReturnType<typeof audioPacket>;
    try {
      p = audioPacket(body);
    } catch (e) {
      this.refuse(e instanceof Error ? e.message : String(e));
      return;
    }
    if (p.kind === 'config') {
      const key = `${p.codec}:${p.description.join(',')}`;
      if (key === this.configKey) return;
      this.configKey = key;
      this.config = {
        codec: p.codec,
        sampleRate: p.sampleRate,
        numberOfChannels: p.numberOfChannels,
        description: p.description.slice(),
      };
      this.configure();
      return;
    }
    if (p.kind !== 'frame' || this.decoder?.state !== 'configured') return;
    this.decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: timestampMs * 1000, data: p.data }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
  }

  private configure(): void {
    if (this.closed || !this.config) return;
    this.decoder ??= new AudioDecoder({
      output: (data) => {
        this.failures = 0;
        this.on.output(data);
      },
      error: (e) => this.failed(e),
    });
    try {
      this.decoder.configure(this.config);
    } catch (e) {
      this.refuse(e instanceof Error ? e.message : String(e));
    }
  }

  private failed(e: DOMException): void {
    if (this.closed) return;
    this.failures += 1;
    if (e.name === 'NotSupportedError' || this.failures >= MAX_FAILURES) {
      this.refuse(`${e.name}: ${e.message}`);
      return;
    }
    this.decoder = null;
    this.configure();
  }

  private refuse(why: string): void {
    if (this.closed) return;
    this.close();
    this.on.refused(why);
  }
}

import type { Readable, Writable } from 'node:stream';
import { MAX_CLIPBOARD_BYTES, type ClipboardPolicy } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import type { OutgoingEvent } from '../session/session-hub.js';
import {
  ClipboardFrameError,
  ClipboardFrameReader,
  encodePaste,
  type ClipboardHelperFrame,
} from './clipboard-frames.js';

/** The clipboard events that go to one participant only. */
export type ClipboardOutgoing = Extract<
  OutgoingEvent,
  { type: 'clipboard' | 'clipboard/pasted' | 'clipboard/refused' }
>;
type Refused = Extract<ClipboardOutgoing, { type: 'clipboard/refused' }>;

/** Where a paste came from: the page's session message (UTF-8) or a standard RFB client's ClientCutText (Latin-1). */
export type PasteSource = 'session' | 'rfb';

export interface ClipboardBridgeDeps {
  readonly log: Logger;
  /** the policy in force now: create-time at first, the room's live settings once they change */
  readonly policy: () => ClipboardPolicy;
  /** who holds control now (the only one who may paste and the only one who hears a copy), or null */
  readonly controllerId: () => string | null;
  /** one event to every session socket of one participant, nobody else */
  readonly sendTo: (participantId: string, event: ClipboardOutgoing) => void;
  /** false when boxroom-clipboard was not built: every transfer is refused as unavailable */
  readonly available: boolean;
  readonly maxBytes?: number;
}

/** What a helper's 'refused' words mean for the page. */
const HELPER_REFUSAL: Record<string, Pick<Refused, 'reason' | 'message'>> = {
  'too large': { reason: 'too-large', message: '' },
  'the copied data is not text': { reason: 'not-text', message: 'what was copied in the room is not text' },
};

/**
 * The room's clipboard, both ways, for the controller only. boxroom-clipboard owns the room's
 * CLIPBOARD and PRIMARY (x11vnc runs with -nosel and never sees cut text: the input gate hands a
 * ClientCutText here instead): a paste from the controller becomes both selections, a change of
 * CLIPBOARD goes to the controller's session sockets. The policy is asked at every transfer, so a
 * change of the room's settings applies to the next one.
 */
export class ClipboardBridge {
  private stdin: Writable | null = null;
  /** pastes written to the helper and not yet answered ('P' or 'F', in order): who sent them, how long */
  private pending: Array<{ participantId: string; bytes: number }> = [];
  private ready = false;
  private readyWaiters: Array<() => void> = [];
  private readonly maxBytes: number;
  private readonly log: Logger;

  constructor(private readonly deps: ClipboardBridgeDeps) {
    this.maxBytes = deps.maxBytes ?? MAX_CLIPBOARD_BYTES;
    this.log = deps.log.child({ mod: 'clipboard' });
  }

  /** The helper's stdin, at every spawn (ProcessSpec.takeStdin). */
  takeStdin = (stdin: Writable): void => {
    this.ready = false;
    this.stdin = stdin;
    // pastes the previous helper never answered are lost with it: their senders hear no 'pasted'
    this.pending = [];
    stdin.on('error', (err) => this.log.debug({ err: err.message }, 'clipboard helper stdin closed'));
  };

  /** The helper's stdout, at every spawn (ProcessSpec.takeStdout). */
  takeStdout = (stdout: Readable): void => {
    const reader = new ClipboardFrameReader(this.maxBytes * 2, this.onFrame);
    stdout.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (err) {
        if (!(err instanceof ClipboardFrameError)) throw err;
        this.log.error({ err: err.message }, 'clipboard helper broke its protocol; ending it');
        stdout.destroy();
        this.stdin?.destroy();
      }
    });
  };

  /** Readiness of the helper's current spawn: its 'ready' frame (the display is open, CLIPBOARD watched). */
  whenReady = (signal: AbortSignal): Promise<void> => {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.readyWaiters = this.readyWaiters.filter((w) => w !== waiter);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.readyWaiters.push(waiter);
    });
  };

  /**
   * The controller's text for the room's CLIPBOARD and PRIMARY. Refused (and the sender told why)
   * when the sender does not hold control, the owner turned paste-in off, the text is too long, or
   * the room has no clipboard helper running.
   */
  paste(participantId: string, text: string, source: PasteSource): boolean {
    const refuse = (reason: Refused['reason'], message: string): false => {
      this.log.info({ participantId, source, reason }, 'paste refused');
      this.deps.sendTo(participantId, { type: 'clipboard/refused', direction: 'in', reason, message });
      return false;
    };
    if (this.deps.controllerId() !== participantId)
      return refuse('not-controller', 'only the participant in control can paste into the room');
    if (!this.deps.policy().pasteIn) return refuse('policy', "the room's owner turned paste-in off");
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.maxBytes) return refuse('too-large', tooLarge(bytes, this.maxBytes));
    const stdin = this.stdin;
    if (!this.deps.available || !this.ready || stdin === null || !stdin.writable)
      return refuse('unavailable', "the room's clipboard is not running");
    stdin.write(encodePaste(text));
    this.pending.push({ participantId, bytes });
    this.log.debug({ participantId, source, bytes }, 'pasted into the room');
    return true;
  }

  private readonly onFrame = (frame: ClipboardHelperFrame): void => {
    if (frame.kind === 'ready') {
      this.ready = true;
      for (const w of this.readyWaiters.splice(0)) w();
      return;
    }
    if (frame.kind === 'pasted' || frame.kind === 'paste-failed') {
      const paste = this.pending.shift();
      if (paste === undefined) return;
      this.deps.sendTo(
        paste.participantId,
        frame.kind === 'pasted'
          ? { type: 'clipboard/pasted', bytes: paste.bytes }
          : { type: 'clipboard/refused', direction: 'in', reason: 'unavailable', message: frame.why },
      );
      return;
    }
    const holder = this.deps.controllerId();
    // nobody in control: a copy in the room goes nowhere (a later controller does not get it either)
    if (holder === null) return;
    if (frame.kind === 'refused') {
      const known = HELPER_REFUSAL[frame.why];
      const out: Refused = known
        ? { type: 'clipboard/refused', direction: 'out', ...known }
        : { type: 'clipboard/refused', direction: 'out', reason: 'unavailable', message: frame.why };
      if (out.reason === 'too-large') out.message = tooLarge(null, this.maxBytes);
      this.deps.sendTo(holder, out);
      return;
    }
    if (!this.deps.policy().copyOut) {
      this.deps.sendTo(holder, {
        type: 'clipboard/refused',
        direction: 'out',
        reason: 'policy',
        message: "the room's owner turned copy-out off",
      });
      return;
    }
    this.deps.sendTo(holder, { type: 'clipboard', text: frame.text });
  };
}

function tooLarge(bytes: number | null, max: number): string {
  const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;
  return `clipboard text is limited to ${kib(max)}${bytes === null ? '' : ` (this is ${kib(bytes)})`}`;
}

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { pasteTooLarge } from '../core/clipboard-keys.js';
import type { ClipboardSessionEvent } from '../core/session-client.js';

/** A paste the agent has not answered in this long is given up (the socket may have gone). */
const PASTE_ANSWER_MS = 3000;

export interface ClipboardDeps {
  /** sends the paste on the session socket; false when it is not open */
  send: (text: string) => boolean;
  /** the device's clipboard (navigator.clipboard), absent outside a secure context */
  clipboard?: Pick<Clipboard, 'writeText'>;
  /** writeText needs the page to have the focus: without it the text waits in the panel */
  hasFocus: () => boolean;
}

/**
 * The controller's side of the room's clipboard. A copy in the room (a `clipboard` event, which only
 * the controller gets) is written to the device's clipboard when the browser allows it (the async
 * Clipboard API, page focused) and always shown in the clipboard panel, whose Copy button is a user
 * gesture where the automatic write is not allowed. A paste (Ctrl+V over the picture, or the panel)
 * resolves once the agent says the text is the room's CLIPBOARD and PRIMARY, or refused it.
 */
export class ClipboardController implements ReactiveController {
  /** the room's last copy that reached this page */
  lastCopied: string | null = null;
  /** whether that copy is on the device's clipboard too */
  onDevice = false;
  /** the last refusal or failure, in words, for the panel */
  notice: string | null = null;
  /** pastes sent and not answered yet, oldest first: the agent answers in order */
  private waiting: Array<{ done: (ok: boolean) => void; timer: ReturnType<typeof setTimeout> }> = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly deps: ClipboardDeps,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.done(false);
    }
  }

  /** A clipboard event from the session channel. */
  handle(ev: ClipboardSessionEvent): void {
    switch (ev.type) {
      case 'clipboard':
        this.lastCopied = ev.text;
        this.onDevice = false;
        this.notice = null;
        void this.toDevice(ev.text);
        break;
      case 'clipboard/pasted':
        this.notice = null;
        this.answer(true);
        break;
      case 'clipboard/refused':
        this.notice =
          ev.direction === 'in' ? `Not pasted into the room: ${ev.message}` : `Not copied out: ${ev.message}`;
        if (ev.direction === 'in') this.answer(false);
        break;
    }
    this.host.requestUpdate();
  }

  /** Sends `text` to the room's clipboard; true once it is there. */
  paste(text: string): Promise<boolean> {
    const tooLarge = pasteTooLarge(text);
    if (tooLarge) return Promise.resolve(this.fail(`Not pasted into the room: ${tooLarge}`));
    if (!this.deps.send(text)) return Promise.resolve(this.fail('Not pasted: not connected to the room'));
    return new Promise((resolve) => {
      const entry = {
        done: resolve,
        timer: setTimeout(() => {
          this.waiting = this.waiting.filter((w) => w !== entry);
          resolve(this.fail('Not pasted: the room did not answer'));
        }, PASTE_ANSWER_MS),
      };
      this.waiting.push(entry);
    });
  }

  /** The panel's Copy button (a user gesture): the last copy onto the device's clipboard. */
  async copyLast(): Promise<boolean> {
    if (this.lastCopied === null) return false;
    return this.toDevice(this.lastCopied);
  }

  private async toDevice(text: string): Promise<boolean> {
    const cb = this.deps.clipboard;
    if (!cb || !this.deps.hasFocus()) return false;
    try {
      await cb.writeText(text);
    } catch {
      // not allowed now (no focus, no permission): the panel holds the text
      return false;
    }
    if (this.lastCopied === text) {
      this.onDevice = true;
      this.host.requestUpdate();
    }
    return true;
  }

  private answer(ok: boolean): void {
    const w = this.waiting.shift();
    if (!w) return;
    clearTimeout(w.timer);
    w.done(ok);
  }

  private fail(notice: string): false {
    this.notice = notice;
    this.host.requestUpdate();
    return false;
  }
}

/**
 * Ctrl and Alt for a phone's key bar, which has no keys to hold: a tap latches the modifier for the next
 * key, a second tap locks it, a third releases it. A latched modifier is pressed in the room at once, so
 * whatever comes next (a key-bar key, the soft keyboard's text, a hardware key, a tap on the picture)
 * arrives with it held, as a desktop's Ctrl+click or Ctrl+C would.
 */

export type Modifier = 'ctrl' | 'alt';
/** `once`: released after the next key or click; `locked`: held until tapped again */
export type Latch = 'off' | 'once' | 'locked';

/** One key event for the room: noVNC's `sendKey(keysym, code, down)`. */
export interface KeyStroke {
  keysym: number;
  code: string;
  down: boolean;
}

export const MODIFIER_KEYS: Readonly<Record<Modifier, { keysym: number; code: string }>> = {
  ctrl: { keysym: 0xffe3, code: 'ControlLeft' },
  alt: { keysym: 0xffe9, code: 'AltLeft' },
};

const NEXT: Readonly<Record<Latch, Latch>> = { off: 'once', once: 'locked', locked: 'off' };

export class StickyModifiers {
  private readonly latches: Record<Modifier, Latch> = { ctrl: 'off', alt: 'off' };

  latch(m: Modifier): Latch {
    return this.latches[m];
  }

  /** A tap on the modifier's button: the key events that make the room agree with the new latch. */
  toggle(m: Modifier): KeyStroke[] {
    const from = this.latches[m];
    const to = NEXT[from];
    this.latches[m] = to;
    if (from === 'off') return [stroke(m, true)];
    if (to === 'off') return [stroke(m, false)];
    return [];
  }

  /** A key or click reached the room: the one-shot modifiers are let go. */
  keyDone(): KeyStroke[] {
    return this.release((l) => l === 'once');
  }

  /** Every latched modifier released (focus lost, control ended). */
  releaseAll(): KeyStroke[] {
    return this.release((l) => l !== 'off');
  }

  /** `keysym` pressed and released with the latched modifiers, then the one-shot ones let go. */
  tap(keysym: number, code: string): KeyStroke[] {
    return [
      { keysym, code, down: true },
      { keysym, code, down: false },
    ].concat(this.keyDone());
  }

  private release(which: (l: Latch) => boolean): KeyStroke[] {
    const out: KeyStroke[] = [];
    for (const m of Object.keys(this.latches) as Modifier[]) {
      if (!which(this.latches[m])) continue;
      this.latches[m] = 'off';
      out.push(stroke(m, false));
    }
    return out;
  }
}

function stroke(m: Modifier, down: boolean): KeyStroke {
  return { ...MODIFIER_KEYS[m], down };
}

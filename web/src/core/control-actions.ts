import { canHoldControl, isModerator, type ControlState, type ParticipantRef } from '@boxroom/contracts';

export type ControlVerb = 'request' | 'release' | 'take' | 'reset' | 'give';

export interface ControlView {
  /** you hold control */
  inControl: boolean;
  /** 1-based place in the queue, or null */
  queuePosition: number | null;
  /** the main button, or null (viewers, or locked for you) */
  primary: { verb: 'request' | 'release'; label: string } | null;
  /** moderators: take control now */
  canTake: boolean;
  /** moderators: clear holder and queue */
  canReset: boolean;
  /** people you may hand control to (holder or moderator) */
  giveTargets: ParticipantRef[];
  /** one line for the status area */
  status: string;
}

/** Pure: which control buttons to show for `you` given the lease and who is present. */
export function controlView(
  you: ParticipantRef | null,
  control: ControlState | null,
  present: readonly ParticipantRef[],
): ControlView {
  const none: ControlView = {
    inControl: false,
    queuePosition: null,
    primary: null,
    canTake: false,
    canReset: false,
    giveTargets: [],
    status: control ? statusLine(null, control) : 'connecting...',
  };
  if (!you || !control) return none;
  const inControl = control.holder?.id === you.id;
  const idx = control.queue.findIndex((p) => p.id === you.id);
  const queuePosition = idx >= 0 ? idx + 1 : null;
  const moderator = isModerator(you.role);
  const mayHold = canHoldControl(you.role) && (!control.locked || moderator);

  let primary: ControlView['primary'] = null;
  if (inControl) primary = { verb: 'release', label: 'Release control' };
  else if (queuePosition !== null) primary = { verb: 'release', label: 'Leave queue' };
  else if (mayHold) primary = { verb: 'request', label: control.holder ? 'Request control' : 'Take control' };

  const giveTargets =
    inControl || moderator
      ? present.filter((p) => p.id !== control.holder?.id && canHoldControl(p.role) && p.id !== you.id)
      : [];
  return {
    inControl,
    queuePosition,
    primary,
    canTake: moderator && !inControl,
    canReset: moderator && (control.holder !== null || control.queue.length > 0),
    giveTargets,
    status: statusLine(you, control),
  };
}

function statusLine(you: ParticipantRef | null, c: ControlState): string {
  const idx = you ? c.queue.findIndex((p) => p.id === you.id) : -1;
  if (c.holder && you && c.holder.id === you.id) {
    return c.queue.length > 0 ? `You are in control · ${c.queue[0]!.name} is waiting` : 'You are in control';
  }
  const who = c.holder ? `${c.holder.name} is in control` : 'Nobody is in control';
  if (idx >= 0) return `${who} · you are #${idx + 1} in the queue`;
  if (c.locked) return `${who} · locked to moderators`;
  return c.queue.length > 0 ? `${who} · ${c.queue.length} waiting` : who;
}

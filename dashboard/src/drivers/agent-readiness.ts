import { setTimeout as sleep } from 'node:timers/promises';

/** How long the agent holds one GET /healthz?wait= (it caps the wait at 10 s). */
export const READY_WAIT_MS = 5_000;
/**
 * Pause before asking again when the agent is not listening yet, or answered at once without being
 * ready (an agent without `?wait=`): short, because a room's start is what people wait for.
 */
export const READY_RETRY_MS = 50;
/** Time on top of the wait for the answer to arrive, before the request counts as lost. */
const ANSWER_SLACK_MS = 2_000;
/**
 * Until the agent has answered once, plain GET /healthz with this timeout (doubled after each one
 * that runs out, for a very busy agent): a connection Docker's port proxy accepted while the
 * container's network was still coming up can hang for a second or more (the proxy's own connect
 * waits for a SYN retransmit), and a held request would look the same.
 */
export const FIRST_CONTACT_TIMEOUT_MS = 250;

export interface AgentReadinessOptions {
  /** where the agent is; null while the runtime has not assigned its address yet */
  url: () => string | null | Promise<string | null>;
  /** abort to stop watching (room deleted, start timeout, driver closed) */
  signal: AbortSignal;
  waitMs?: number;
  retryMs?: number;
}

/**
 * Resolves once the room agent's /healthz answers 200 with status `ok`; rejects with the signal's
 * reason when it aborts. Once the agent answers at all, each request asks it to hold its answer
 * until the room is ready (`?wait=`), so readiness is known the moment the agent knows it, not at
 * the next poll or Docker healthcheck (1 s apart: Engine API 1.41 has no start interval).
 */
export async function waitAgentReady(o: AgentReadinessOptions): Promise<void> {
  const waitMs = o.waitMs ?? READY_WAIT_MS;
  const retryMs = o.retryMs ?? READY_RETRY_MS;
  let answered = false;
  let contactMs = FIRST_CONTACT_TIMEOUT_MS;
  for (;;) {
    o.signal.throwIfAborted();
    const started = Date.now();
    const url = await o.url();
    const h: HealthAnswer =
      url === null
        ? 'no-answer'
        : answered
          ? await health(`${url}/healthz?wait=${waitMs}`, waitMs + ANSWER_SLACK_MS, o.signal)
          : await health(`${url}/healthz`, contactMs, o.signal);
    if (h === 'ok') return;
    const firstAnswer = !answered && h === 'not-ok';
    answered = h === 'not-ok';
    if (h === 'timeout' && contactMs < ANSWER_SLACK_MS) contactMs *= 2;
    o.signal.throwIfAborted();
    if (firstAnswer) continue; // on to the held request at once
    // a refusal, or an answer that did not wait (an agent without ?wait=): do not spin
    const left = retryMs - (Date.now() - started);
    if (left > 0) await sleep(left, undefined, { signal: o.signal }).catch(() => undefined);
  }
}

/** One plain GET /healthz: does the agent say it is ready right now? */
export async function agentSaysReady(url: string, timeoutMs: number): Promise<boolean> {
  return (await health(`${url}/healthz`, timeoutMs, new AbortController().signal)) === 'ok';
}

/** `not-ok`: the agent answered, not ready; `no-answer`: refused or lost; `timeout`: no answer in time. */
type HealthAnswer = 'ok' | 'not-ok' | 'no-answer' | 'timeout';

async function health(url: string, timeoutMs: number, signal: AbortSignal): Promise<HealthAnswer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, { signal: AbortSignal.any([signal, timeout]) });
    const body = (await res.json().catch(() => null)) as { status?: unknown } | null;
    return res.status === 200 && body?.status === 'ok' ? 'ok' : 'not-ok';
  } catch {
    return timeout.aborted ? 'timeout' : 'no-answer';
  }
}

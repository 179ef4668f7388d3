/**
 * `work`'s answer, or a rejection once `ms` passed: for work that cannot be called off (a walk of a
 * directory, a batch of agent calls) but whose caller must not wait for it past a bound. The work
 * itself goes on; only its answer is no longer awaited.
 */
export function withinDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

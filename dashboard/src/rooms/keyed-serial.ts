/**
 * Runs tasks one at a time per key, in the order they were asked for; tasks of different keys run
 * freely. A task's failure is its caller's alone: the next one for the key still runs.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    // the last task of a key forgets it: rooms come and go, the map must not grow with them
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { ContainerInfo } from 'dockerode';
import type { ContainerEvent } from '../drivers/docker/event-stream.js';
import { LABEL } from '../drivers/docker/labels.js';

/**
 * Just the engine calls the docker driver makes, over one container. `hung` makes every call wait
 * for ever, as a SIGSTOPped dockerd does; `event()` writes to the event stream the driver follows.
 * Removing the container makes it gone (inspect 404) but not unlisted: tests say what the list shows.
 */
export function fakeDockerEngine(container: ContainerInfo) {
  const engine = {
    hung: false,
    aborted: 0,
    listed: [container],
    /** what an inspect answers; null: the container is gone (404) */
    inspected: null as object | null,
    events: new PassThrough(),
    answer<T>(value: T, signal?: AbortSignal): Promise<T> {
      if (!engine.hung) return Promise.resolve(value);
      return new Promise<T>((_, reject) =>
        signal?.addEventListener('abort', () => {
          engine.aborted++;
          reject(new Error('aborted'));
        }),
      );
    },
    /** An engine event about a room's container, as the stream carries it (`die` has `exitCode`). */
    event(action: string, room: string, attributes: Record<string, string> = {}): void {
      const e: ContainerEvent = {
        Action: action,
        Actor: { ID: container.Id, Attributes: { ...attributes, [LABEL.id]: room } },
        time: 1,
      };
      engine.events.write(`${JSON.stringify(e)}\n`);
    },
  };
  const gone = Object.assign(new Error('no such container'), { statusCode: 404 });
  const docker = {
    getNetwork: () => ({ inspect: () => engine.answer({}) }),
    listContainers: (o: { abortSignal?: AbortSignal }) => engine.answer(engine.listed, o.abortSignal),
    getEvents: () => engine.answer(engine.events),
    ping: (o: { abortSignal?: AbortSignal }) => engine.answer('OK', o.abortSignal),
    createContainer: (o: { abortSignal?: AbortSignal }) => engine.answer({}, o.abortSignal),
    getContainer: () => ({
      stop: (o: { abortSignal?: AbortSignal }) => engine.answer(undefined, o.abortSignal),
      remove: (o: { abortSignal?: AbortSignal }) => engine.answer(undefined, o.abortSignal),
      inspect: () => (engine.inspected ? Promise.resolve(engine.inspected) : Promise.reject(gone)),
    }),
  };
  return { engine, docker: docker as unknown as Docker };
}

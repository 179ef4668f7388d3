import { describe, expect, it } from 'vitest';
import type { RoomSpec } from '../../rooms/room-driver.js';
import { toLabels } from '../docker/labels.js';
import { recordFromService, statusFromTaskState, taskFailure, type SwarmTaskInfo } from './task-status.js';

const spec: RoomSpec = {
  id: 'r1',
  name: 'n',
  width: 640,
  height: 360,
  fps: 15,
  app: 'terminal',
  createdAt: 1,
  ownerId: null,
};
const service = { ID: 's1', Spec: { Name: 'boxroom-ci-r1', Labels: toLabels(spec, 'ci') } };
const task = (State: string, o: Partial<SwarmTaskInfo> = {}): SwarmTaskInfo => ({
  ID: 't',
  ServiceID: 's1',
  NodeID: 'n1',
  Status: { State },
  ...o,
});
const ctx = (o: { ready?: boolean; down?: Map<string, string> } = {}) => ({
  instance: 'ci',
  agentSaidReady: () => o.ready ?? false,
  downNodes: o.down ?? new Map<string, string>(),
});

describe('statusFromTaskState', () => {
  it('everything before running is starting; running (healthy already) is ready; every end is failed', () => {
    for (const s of ['new', 'pending', 'assigned', 'accepted', 'preparing', 'starting', undefined])
      expect(statusFromTaskState(s)).toBe('starting');
    expect(statusFromTaskState('running')).toBe('ready');
    for (const s of ['failed', 'rejected', 'orphaned', 'shutdown', 'complete', 'remove'])
      expect(statusFromTaskState(s)).toBe('failed');
  });

  it('the agent’s word makes a starting task ready before its first healthcheck', () => {
    expect(statusFromTaskState('starting', true)).toBe('ready');
    expect(statusFromTaskState('preparing', true)).toBe('starting');
  });
});

describe('taskFailure', () => {
  it('the state and the engine’s error, else its message; null while the task lives', () => {
    expect(taskFailure(task('failed', { Status: { State: 'failed', Err: 'task: non-zero exit (1)' } }))).toBe(
      'task failed: task: non-zero exit (1)',
    );
    expect(taskFailure(task('rejected', { Status: { State: 'rejected', Message: 'no such image' } }))).toBe(
      'task rejected: no such image',
    );
    // the engine's words, bounded and without what looks like a secret
    const long = taskFailure(
      task('rejected', { Status: { State: 'rejected', Err: `bad env SECRET=x ${'y'.repeat(500)}` } }),
    )!;
    expect(long).toMatch(/^task rejected: bad env SECRET=\[redacted\] y+…$/);
    expect(long.length).toBe(200);
    expect(taskFailure(task('orphaned'))).toBe('task orphaned');
    expect(taskFailure(task('running'))).toBeNull();
    expect(taskFailure(undefined)).toBeNull();
  });
});

describe('recordFromService', () => {
  it('the spec from the labels, the newest task’s status, the agent by service name', () => {
    const tasks = [
      task('failed', { ID: 'old', Version: { Index: 1 } }),
      task('running', { ID: 'new', Version: { Index: 9 } }),
    ];
    expect(recordFromService(service, tasks, ctx())).toEqual({
      spec: expect.objectContaining({ id: 'r1', name: 'n' }),
      status: 'ready',
      agentUrl: 'http://boxroom-ci-r1:9000',
    });
    expect(recordFromService(service, [], ctx())).toMatchObject({ status: 'starting', agentUrl: null });
    // a failed task says why; a live one has no failure at all
    expect(recordFromService(service, [task('running')], ctx())).not.toHaveProperty('failure');
    const failed = task('failed', { Status: { State: 'failed', Err: 'task: non-zero exit (137)' } });
    expect(recordFromService(service, [failed], ctx())).toMatchObject({
      status: 'failed',
      failure: 'task failed: task: non-zero exit (137)',
    });
  });

  it('a room on a down node is failed and unreachable, whatever its task still says', () => {
    const r = recordFromService(service, [task('running')], ctx({ down: new Map([['n1', 'host-2']]) }));
    expect(r).toMatchObject({ status: 'failed', agentUrl: null, failure: 'node host-2 is down' });
  });

  it('null for a service whose labels are no room', () => {
    expect(recordFromService({ ID: 'x', Spec: { Labels: {} } }, [], ctx())).toBeNull();
  });
});

import type { ContainerInfo } from 'dockerode';
import { toLabels } from '../drivers/docker/labels.js';
import type { RoomSpec } from '../rooms/room-driver.js';

/** A room as the docker driver's unit tests create it. */
export const ROOM_SPEC: RoomSpec = {
  id: 'r1',
  name: 'r',
  width: 1280,
  height: 720,
  fps: 30,
  app: 'terminal',
  createdAt: 1,
  ownerId: null,
  timeouts: { maxAgeS: 0, noViewersS: 3600, noInputS: 0 },
  files: { upload: true, download: true },
};

/** The engine's list entry of ROOM_SPEC's container (instance "default", running, healthy), with `over` on top. */
export function containerSummary(over: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    Id: 'c1',
    Names: ['/boxroom-default-r1'],
    Image: 'boxroom/room:latest',
    ImageID: 'sha256:x',
    Command: 'node',
    Created: 1,
    Ports: [],
    Labels: toLabels(ROOM_SPEC, 'default'),
    State: 'running',
    Status: 'Up 3 seconds (healthy)',
    HostConfig: { NetworkMode: 'bridge' },
    NetworkSettings: { Networks: {} },
    Mounts: [],
    ...over,
  };
}

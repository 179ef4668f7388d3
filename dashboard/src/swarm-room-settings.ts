const dash = ['dashboard'] as const;

/**
 * The swarm driver's rooms (spread into dashboard-settings.ts). Image, instance and the per-room
 * limits are the docker driver's settings (BOXROOM_DOCKER_IMAGE, BOXROOM_DOCKER_INSTANCE,
 * BOXROOM_ROOM_CPUS, BOXROOM_ROOM_MEMORY_MB, BOXROOM_ROOM_SHM_MB): one room is the same on both.
 */
export const SWARM_ROOM_SETTINGS = {
  BOXROOM_SWARM_NETWORK: {
    type: 'string',
    default: 'boxroom-rooms',
    processes: dash,
    doc: 'swarm rooms: the attachable overlay network rooms and dashboards share (created when missing); dashboards reach agents on it by service name',
  },
  BOXROOM_SWARM_EGRESS: {
    type: 'enum',
    values: ['none', 'open'],
    default: 'none',
    processes: dash,
    doc: 'swarm rooms: `none` makes the rooms network internal (a room reaches the overlay only: not its node, private networks, metadata or the internet); `open` leaves it as the engine makes it (docs/security.md, "Swarm rooms"). An existing network whose fence differs stops the start',
  },
  BOXROOM_SWARM_CONSTRAINTS: {
    type: 'list',
    processes: dash,
    doc: 'swarm rooms: comma-separated placement constraints a node must meet to take rooms (`node.labels.rooms==yes`, `node.role!=manager`; `==` and `!=` on `node.id`, `node.hostname`, `node.role`, `node.platform.os`, `node.platform.arch`, `node.labels.*`, `engine.labels.*`)',
  },
  BOXROOM_SWARM_MAX_ROOMS_PER_NODE: {
    type: 'int',
    default: 0,
    min: 0,
    max: 10000,
    processes: dash,
    doc: 'swarm rooms: rooms one node may hold at once (0: no cap); a create with no node left answers 503. Exact per dashboard; two replicas creating at the same moment may pass it by one each',
  },
  BOXROOM_SWARM_RESERVE_CPUS: {
    type: 'number',
    default: 0,
    min: 0,
    max: 64,
    processes: dash,
    doc: 'swarm rooms: cores the scheduler keeps free per room (0: none; the limit is `BOXROOM_ROOM_CPUS`)',
  },
  BOXROOM_SWARM_RESERVE_MEMORY_MB: {
    type: 'int',
    default: 0,
    min: 0,
    max: 65536,
    processes: dash,
    doc: 'swarm rooms: memory the scheduler keeps free per room (0: none; the limit is `BOXROOM_ROOM_MEMORY_MB`)',
  },
} as const;

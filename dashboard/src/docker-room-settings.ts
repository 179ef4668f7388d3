const dash = ['dashboard'] as const;

/** The docker driver's rooms: network, firewall, image, resources (spread into dashboard-settings.ts). */
export const DOCKER_ROOM_SETTINGS = {
  BOXROOM_ROOM_EGRESS_ALLOW: {
    type: 'list',
    processes: ['dashboard', 'room-firewall'],
    doc: 'docker rooms: comma-separated CIDRs, addresses, `host:port`, `[v6]:port` rooms may reach although private',
  },
  BOXROOM_ROOM_FIREWALL: {
    type: 'enum',
    values: ['auto', 'off'],
    default: 'auto',
    processes: dash,
    doc: "docker rooms: `auto` installs the rooms network's iptables rules when it can (root), else warns; `off` leaves them",
  },
  BOXROOM_DOCKER_IMAGE: {
    type: 'string',
    default: 'boxroom/room:latest',
    processes: dash,
    doc: 'docker and swarm rooms: the room image (on swarm it must be on every node that may take rooms)',
  },
  BOXROOM_DOCKER_INSTANCE: {
    type: 'string',
    default: 'default',
    processes: ['dashboard', 'janitor', 'room-firewall'],
    doc: 'docker and swarm rooms: the label scope of this deployment; a dashboard (and its janitor) adopts and reaps only rooms of its instance',
  },
  BOXROOM_DOCKER_NETWORK: {
    type: 'string',
    default: 'boxroom-rooms',
    processes: ['dashboard', 'room-firewall'],
    doc: 'docker rooms: the network rooms join (created, with inter-container traffic off, when missing)',
  },
  BOXROOM_DOCKER_AGENT_ADDRESS: {
    type: 'enum',
    values: ['published', 'container'],
    default: 'published',
    processes: dash,
    doc: "docker rooms: how the dashboard reaches an agent: `published` (a port on `BOXROOM_DOCKER_PUBLISH_HOST`) or `container` (the container's address: a dashboard on the rooms network)",
  },
  BOXROOM_DOCKER_PUBLISH_HOST: {
    type: 'string',
    default: '127.0.0.1',
    processes: dash,
    doc: 'docker rooms: the host address agent ports are published on',
  },
  BOXROOM_ROOM_CPUS: {
    type: 'number',
    default: 1,
    min: 0.1,
    max: 64,
    processes: dash,
    doc: 'docker and swarm rooms: cores per room (0.1 to 64; swarm: the limit)',
  },
  BOXROOM_ROOM_MEMORY_MB: {
    type: 'number',
    default: 1024,
    min: 128,
    max: 65536,
    processes: dash,
    doc: 'docker and swarm rooms: memory per room, its tmpfs included (128 to 65536; swarm: the limit)',
  },
  BOXROOM_ROOM_SHM_MB: {
    type: 'number',
    default: 256,
    min: 16,
    max: 8192,
    processes: dash,
    doc: 'docker and swarm rooms: `/dev/shm` per room (16 to 8192)',
  },
} as const;

/** The fields of a swarm node that placement reads (GET /nodes). */
export interface SwarmNodeInfo {
  ID: string;
  Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> };
  Description?: {
    Hostname?: string;
    Platform?: { OS?: string; Architecture?: string };
    Engine?: { Labels?: Record<string, string> };
  };
  Status?: { State?: string };
}

export type Placement = { node: SwarmNodeInfo } | { none: string };

/** A constraint's attribute on one node, or undefined when the node has none. */
function attribute(node: SwarmNodeInfo, key: string): string | undefined {
  if (key === 'node.id') return node.ID;
  if (key === 'node.hostname') return node.Description?.Hostname;
  if (key === 'node.role') return node.Spec?.Role;
  if (key === 'node.platform.os') return node.Description?.Platform?.OS;
  if (key === 'node.platform.arch') return node.Description?.Platform?.Architecture;
  if (key.startsWith('node.labels.')) return node.Spec?.Labels?.[key.slice('node.labels.'.length)];
  if (key.startsWith('engine.labels.'))
    return node.Description?.Engine?.Labels?.[key.slice('engine.labels.'.length)];
  return undefined;
}

const CONSTRAINT = /^\s*([a-zA-Z0-9_.-]+)\s*(==|!=)\s*(.*?)\s*$/;

/** A constraint swarm understands but this reader does not (or that does not parse). */
export class ConstraintError extends Error {
  override name = 'ConstraintError';
}

/** Checks a constraint's syntax, so a bad BOXROOM_SWARM_CONSTRAINTS fails the start, not a create. */
export function parseConstraint(c: string): { key: string; op: '==' | '!='; value: string } {
  const m = CONSTRAINT.exec(c);
  const key = m?.[1];
  if (!m || !key || m[3] === undefined)
    throw new ConstraintError(`swarm constraint "${c}" is not <attribute>==<value> or <attribute>!=<value>`);
  const known = ['node.id', 'node.hostname', 'node.role', 'node.platform.os', 'node.platform.arch'];
  if (!known.includes(key) && !key.startsWith('node.labels.') && !key.startsWith('engine.labels.'))
    throw new ConstraintError(`swarm constraint "${c}": unknown attribute ${key}`);
  return { key, op: m[2] as '==' | '!=', value: m[3] };
}

/** Swarm's matching: `==` needs the attribute and equal (case-insensitive, as swarm compares), `!=` the opposite. */
export function meetsConstraints(node: SwarmNodeInfo, constraints: readonly string[]): boolean {
  return constraints.every((c) => {
    const { key, op, value } = parseConstraint(c);
    const actual = attribute(node, key);
    const equal = actual !== undefined && actual.toLowerCase() === value.toLowerCase();
    return op === '==' ? equal : !equal;
  });
}

/**
 * Where the next room goes: among the nodes that are ready, active and meet every constraint, the
 * one holding the fewest rooms of this instance, below the cap (0: none); ties go to the lower id,
 * so two dashboards deciding at once mostly agree. `none` says why no node is left.
 */
export function pickNode(
  nodes: readonly SwarmNodeInfo[],
  roomsPerNode: ReadonlyMap<string, number>,
  constraints: readonly string[],
  maxRoomsPerNode: number,
): Placement {
  const up = nodes.filter((n) => n.Status?.State === 'ready' && n.Spec?.Availability === 'active');
  const eligible = up.filter((n) => meetsConstraints(n, constraints));
  const rooms = (n: SwarmNodeInfo) => roomsPerNode.get(n.ID) ?? 0;
  const free = eligible.filter((n) => maxRoomsPerNode === 0 || rooms(n) < maxRoomsPerNode);
  const best = [...free].sort((a, b) => rooms(a) - rooms(b) || a.ID.localeCompare(b.ID))[0];
  if (best) return { node: best };
  if (up.length === 0) return { none: 'no swarm node is ready and active' };
  if (eligible.length === 0)
    return { none: `no ready swarm node meets the room constraints (${constraints.join(', ')})` };
  return {
    none: `every eligible swarm node holds ${maxRoomsPerNode} rooms already (BOXROOM_SWARM_MAX_ROOMS_PER_NODE)`,
  };
}

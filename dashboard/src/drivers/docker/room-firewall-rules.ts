/**
 * The rooms network's firewall as data: which addresses a room container may reach, written as
 * iptables rules by pure functions so the exact rules are unit-tested. room-firewall.ts applies them.
 *
 * Two chains per rooms bridge, each entered only for packets coming in from that bridge:
 * - `BOXROOM-IN-<bridge>` from INPUT: a room reaches none of the host's own addresses (the bridge
 *   gateway, every other interface's address, whatever port the dashboard listens on). Only replies
 *   to connections the host opened (the dashboard calling an agent by its container address, the
 *   engine's userland proxy for a published port) come back in.
 * - `BOXROOM-OUT-<bridge>` from DOCKER-USER (FORWARD when the engine has none): no private,
 *   carrier-grade NAT, link-local (cloud metadata: 169.254.169.254) or loopback destination, except
 *   the host's DNS servers on port 53 and what BOXROOM_ROOM_EGRESS_ALLOW opens. Public addresses stay
 *   reachable.
 * Docker's embedded DNS (127.0.0.11) runs inside each container's own network namespace, so INPUT
 * never sees those queries; its forwards to the host's resolvers leave from the container's
 * namespace too (Engine 20.10), through FORWARD: hence the port-53 exception.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

export type Family = 4 | 6;

/** Destinations rooms do not reach unless allowed, per address family. */
export const BLOCKED: Readonly<Record<Family, readonly string[]>> = {
  4: [
    '10.0.0.0/8',
    '172.16.0.0/12',
    '192.168.0.0/16',
    '100.64.0.0/10',
    '169.254.0.0/16',
    '127.0.0.0/8',
    '0.0.0.0/8',
    // IETF protocol assignments, multicast, reserved and broadcast (198.18/15, the benchmarking
    // networks, stay: nothing private lives there, and the boundary tests use them as "public")
    '192.0.0.0/24',
    '224.0.0.0/4',
    '240.0.0.0/4',
  ],
  // unique-local, link-local, loopback, multicast, and the IPv4-embedding prefixes through which a
  // v6 route could reach a private IPv4 address (mapped, NAT64)
  6: ['fc00::/7', 'fe80::/10', '::1/128', 'ff00::/8', '::ffff:0:0/96', '64:ff9b::/96'],
};

/** One BOXROOM_ROOM_EGRESS_ALLOW entry: an address or network, optionally one port (TCP and UDP). */
export interface EgressRule {
  /** an IP address, a CIDR, or (before resolution) a host name */
  readonly host: string;
  readonly prefix?: number;
  readonly port?: number;
}

export class EgressAllowError extends Error {
  override name = 'EgressAllowError';
}

/**
 * Parses `BOXROOM_ROOM_EGRESS_ALLOW`: comma-separated `CIDR`, `address`, `host:port` or
 * `[v6-address]:port`. Host names stay names here; room-firewall.ts resolves them when it applies
 * the rules.
 */
export function parseEgressAllow(raw: string | undefined): EgressRule[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseEntry);
}

/** dot-separated labels of letters, digits and inner hyphens */
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

function parseEntry(entry: string): EgressRule {
  const bad = (why: string): EgressAllowError =>
    new EgressAllowError(`BOXROOM_ROOM_EGRESS_ALLOW: "${entry}" ${why}`);
  const slash = entry.indexOf('/');
  if (slash !== -1) {
    const host = entry.slice(0, slash);
    const prefixText = entry.slice(slash + 1);
    const family = isIP(host);
    if (family === 0) throw bad('is not a CIDR (address/prefix)');
    const prefix = Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText) || prefix > (family === 4 ? 32 : 128))
      throw bad('has a prefix length out of range');
    return { host, prefix };
  }
  if (isIP(entry) !== 0) return { host: entry };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
  if (!m) throw bad('is not a CIDR, an address, host:port or [v6]:port');
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw bad('has a port out of range');
  if (m[1] !== undefined && isIP(host) !== 6) throw bad('has no IPv6 address in brackets');
  if (m[2] !== undefined && isIP(host) === 0 && !HOST_NAME.test(host)) throw bad('has an invalid host name');
  return { host, port };
}

/** Interface names are at most 15 characters (IFNAMSIZ). */
const IFNAME_MAX = 15;

/**
 * The bridge interface name the driver gives a rooms network it creates (network option
 * com.docker.network.bridge.name): fixed and readable, so the firewall's rules name it before any
 * container exists and survive the network being recreated. `boxroom-rooms` -> `bxr-rooms`.
 */
export function bridgeNameFor(network: string): string {
  const readable = `bxr-${network.replace(/^boxroom-/, '')}`;
  if (readable.length <= IFNAME_MAX && /^[a-z0-9-]+$/.test(readable)) return readable;
  return `bxr-${createHash('sha256')
    .update(network)
    .digest('hex')
    .slice(0, IFNAME_MAX - 4)}`;
}

export function chainNames(bridge: string): { input: string; egress: string } {
  return { input: `BOXROOM-IN-${bridge}`, egress: `BOXROOM-OUT-${bridge}` };
}

/** What the egress chain lets through, resolved to addresses of one family. */
export interface FirewallPlan {
  readonly bridge: string;
  readonly family: Family;
  /** allowed destinations (CIDR or address), each optionally one port */
  readonly allow: readonly EgressRule[];
  /** the resolvers Docker's embedded DNS forwards to: port 53 only */
  readonly dnsServers: readonly string[];
}

function dest(r: EgressRule): string {
  return r.prefix === undefined ? r.host : `${r.host}/${r.prefix}`;
}

/**
 * The `iptables-restore --noflush` input (`ip6tables-restore` for family 6) that (re)creates both
 * chains with exactly these rules: declaring a chain flushes it, and the whole table commits at
 * once, so re-applying never leaves a moment without rules.
 */
export function restoreScript(plan: FirewallPlan): string {
  const { input, egress } = chainNames(plan.bridge);
  const reject =
    plan.family === 4
      ? '-j REJECT --reject-with icmp-admin-prohibited'
      : '-j REJECT --reject-with icmp6-adm-prohibited';
  const lines = ['*filter', `:${input} - [0:0]`, `:${egress} - [0:0]`];
  lines.push(`-A ${input} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`);
  if (plan.family === 6) {
    // without neighbour discovery to the gateway a v6 container has no route at all
    for (const t of ['neighbour-solicitation', 'neighbour-advertisement'])
      lines.push(`-A ${input} -p ipv6-icmp --icmpv6-type ${t} -j ACCEPT`);
  }
  lines.push(`-A ${input} ${reject}`);
  lines.push(`-A ${egress} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN`);
  for (const ns of plan.dnsServers)
    for (const proto of ['udp', 'tcp']) lines.push(`-A ${egress} -d ${ns} -p ${proto} --dport 53 -j RETURN`);
  for (const r of plan.allow) {
    if (r.port === undefined) lines.push(`-A ${egress} -d ${dest(r)} -j RETURN`);
    else
      for (const proto of ['tcp', 'udp'])
        lines.push(`-A ${egress} -d ${dest(r)} -p ${proto} --dport ${r.port} -j RETURN`);
  }
  for (const net of BLOCKED[plan.family]) lines.push(`-A ${egress} -d ${net} ${reject}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** A rule in a built-in (or Docker's) chain that sends the bridge's packets to one of ours. */
export interface Jump {
  readonly chain: string;
  readonly rule: readonly string[];
}

/** The jumps into our chains; `forwardChain` is DOCKER-USER when the engine made one, else FORWARD. */
export function jumps(bridge: string, forwardChain: string): Jump[] {
  const { input, egress } = chainNames(bridge);
  return [
    { chain: 'INPUT', rule: ['-i', bridge, '-j', input] },
    { chain: forwardChain, rule: ['-i', bridge, '-j', egress] },
  ];
}

/** Nameserver addresses of a resolv.conf text (the host's: what the engine's DNS forwards to). */
export function nameservers(resolvConf: string): string[] {
  return resolvConf
    .split('\n')
    .map((l) => /^\s*nameserver\s+([0-9a-fA-F:.]+)(?:%\S+)?\s*$/.exec(l)?.[1])
    .filter((a): a is string => a !== undefined && isIP(a) !== 0);
}

/** True for 127/8 and ::1: the engine does not forward to a loopback resolver (systemd-resolved). */
export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

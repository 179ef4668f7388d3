/**
 * Installs and removes the rooms network's firewall (rules: room-firewall-rules.ts) with the host's
 * iptables. It needs root (or CAP_NET_ADMIN) in the host's network namespace: a dashboard run as
 * root on the host has it; a dashboard container normally does not, and then the operator runs
 * scripts/room-firewall.sh once as root (docs/security.md, "Docker rooms").
 *
 * The rules are kept when the dashboard stops: rooms outlive the dashboard, and so must their
 * fences. They name the bridge interface, so rules left for a bridge that no longer exists match
 * nothing; removeRoomFirewall() takes them away on purpose.
 */
import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Logger } from '../../logger.js';
import {
  chainNames,
  isLoopback,
  jumps,
  nameservers,
  restoreScript,
  type EgressRule,
  type Family,
} from './room-firewall-rules.js';

const TOOL: Record<Family, { cmd: string; restore: string }> = {
  4: { cmd: 'iptables', restore: 'iptables-restore' },
  6: { cmd: 'ip6tables', restore: 'ip6tables-restore' },
};
/** Where the engine learns its upstream resolvers; the systemd-resolved one when it is a stub. */
const RESOLV_CONF = '/etc/resolv.conf';
const RESOLVED_UPSTREAM = '/run/systemd/resolve/resolv.conf';

export interface RoomFirewallOptions {
  /** BOXROOM_ROOM_EGRESS_ALLOW, parsed (parseEgressAllow); host names are resolved now */
  readonly allow: readonly EgressRule[];
  /** resolvers rooms may query on port 53; default: the host's (what Docker's DNS forwards to) */
  readonly dnsServers?: readonly string[];
  readonly log: Logger;
}

export type FirewallResult =
  | { readonly installed: true; readonly families: readonly Family[] }
  | { readonly installed: false; readonly reason: string };

interface RunResult {
  code: number;
  stderr: string;
}

function run(cmd: string, args: readonly string[], stdin?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => resolve({ code: -1, stderr: err.message }));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr: stderr.trim() }));
    if (stdin !== undefined) {
      // a tool that exits early (bad input) closes its end: its exit code tells, not EPIPE
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(stdin);
    }
  });
}

async function hostDnsServers(): Promise<string[]> {
  const read = (p: string): Promise<string[]> => readFile(p, 'utf8').then(nameservers, () => []);
  const servers = await read(RESOLV_CONF);
  if (servers.length > 0 && servers.every(isLoopback))
    return (await read(RESOLVED_UPSTREAM)).filter((a) => !isLoopback(a));
  return servers.filter((a) => !isLoopback(a));
}

/** Allow entries of one family; host names resolve to every address they have now. */
async function resolveAllow(allow: readonly EgressRule[], log: Logger): Promise<EgressRule[]> {
  const out: EgressRule[] = [];
  for (const r of allow) {
    if (isIP(r.host) !== 0) {
      out.push(r);
      continue;
    }
    try {
      for (const a of await lookup(r.host, { all: true })) out.push({ ...r, host: a.address });
    } catch (err) {
      log.warn({ host: r.host, err: (err as Error).message }, 'egress allow entry does not resolve: skipped');
    }
  }
  return out;
}

async function chainExists(family: Family, chain: string): Promise<boolean> {
  return (await run(TOOL[family].cmd, ['-w', '-n', '-L', chain])).code === 0;
}

async function ensureJump(family: Family, chain: string, rule: readonly string[]): Promise<RunResult> {
  const { cmd } = TOOL[family];
  if ((await run(cmd, ['-w', '-C', chain, ...rule])).code === 0) return { code: 0, stderr: '' };
  // first, ahead of anything that would accept the packet (Docker's own FORWARD rules, ufw)
  return run(cmd, ['-w', '-I', chain, '1', ...rule]);
}

async function applyFamily(
  family: Family,
  bridge: string,
  allow: readonly EgressRule[],
  dnsServers: readonly string[],
): Promise<RunResult> {
  const fam = (a: string): boolean => isIP(a) === family;
  const script = restoreScript({
    bridge,
    family,
    allow: allow.filter((r) => fam(r.host)),
    dnsServers: dnsServers.filter(fam),
  });
  const restored = await run(TOOL[family].restore, ['-w', '--noflush'], script);
  if (restored.code !== 0) return restored;
  const forward = (await chainExists(family, 'DOCKER-USER')) ? 'DOCKER-USER' : 'FORWARD';
  for (const j of jumps(bridge, forward)) {
    const r = await ensureJump(family, j.chain, j.rule);
    if (r.code !== 0) return r;
  }
  return restored;
}

/**
 * Installs (or refreshes: idempotent) the firewall of one rooms bridge, IPv4 and IPv6. IPv4 is
 * required for `installed: true`; an IPv6 failure is logged (most hosts' rooms have no IPv6 route).
 */
export async function applyRoomFirewall(bridge: string, o: RoomFirewallOptions): Promise<FirewallResult> {
  // named by the caller (`mod`: the driver's, or the CLI's room-firewall)
  const log = o.log;
  const allow = await resolveAllow(o.allow, log);
  const dns = o.dnsServers ?? (await hostDnsServers());
  const v4 = await applyFamily(4, bridge, allow, dns);
  if (v4.code !== 0) return { installed: false, reason: v4.stderr || `iptables exited with ${v4.code}` };
  const v6 = await applyFamily(6, bridge, allow, dns);
  if (v6.code !== 0) log.warn({ bridge, reason: v6.stderr }, 'room firewall: IPv6 rules not installed');
  log.info(
    { bridge, allow: allow.length, dnsServers: dns, ipv6: v6.code === 0 },
    'room firewall installed: rooms reach neither this host nor private addresses',
  );
  return { installed: true, families: v6.code === 0 ? [4, 6] : [4] };
}

/** Removes the jumps and both chains of one bridge, in both families; missing pieces are fine. */
export async function removeRoomFirewall(bridge: string): Promise<void> {
  const { input, egress } = chainNames(bridge);
  for (const family of [4, 6] as const) {
    const { cmd } = TOOL[family];
    for (const forward of ['DOCKER-USER', 'FORWARD']) {
      for (const j of jumps(bridge, forward)) {
        // -D removes one copy: loop in case a crash between check and insert left two
        while ((await run(cmd, ['-w', '-D', j.chain, ...j.rule])).code === 0);
      }
    }
    for (const chain of [input, egress]) {
      await run(cmd, ['-w', '-F', chain]);
      await run(cmd, ['-w', '-X', chain]);
    }
  }
}

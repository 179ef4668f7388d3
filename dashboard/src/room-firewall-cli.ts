import Docker from 'dockerode';
import { ConfigError, loadRoomFirewallConfig } from './config.js';
import { dockerOptionsFromConfig, DockerConfigError } from './drivers/docker/from-config.js';
import { ensureRoomsNetwork, roomsBridge } from './drivers/docker/network.js';
import { resolveOptions } from './drivers/docker/options.js';
import { applyRoomFirewall, removeRoomFirewall } from './drivers/docker/room-firewall.js';
import { createRootLogger } from './logger.js';

/**
 * The room firewall for operators whose dashboard cannot install it itself (a dashboard container
 * has no NET_ADMIN in the host's namespace, as in compose/): run once as root on the host, after
 * every boot, with the dashboard's BOXROOM_DOCKER_NETWORK, BOXROOM_DOCKER_INSTANCE and
 * BOXROOM_ROOM_EGRESS_ALLOW. scripts/room-firewall.sh builds and runs it.
 *   room-firewall apply    create the rooms network when missing, install or refresh its rules
 *   room-firewall remove   take the rules away
 */
let log = createRootLogger().child({ mod: 'room-firewall' });

async function main(): Promise<number> {
  let o;
  try {
    const config = loadRoomFirewallConfig();
    log = createRootLogger(config.logLevel).child({ mod: 'room-firewall' });
    o = resolveOptions({ ...dockerOptionsFromConfig(config.docker), publicKeyPem: '' });
  } catch (err) {
    if (!(err instanceof ConfigError) && !(err instanceof DockerConfigError)) throw err;
    log.error(err.message);
    return 2;
  }
  const action = process.argv[2] ?? 'apply';
  if (action !== 'apply' && action !== 'remove') {
    log.error({ action }, 'usage: room-firewall apply|remove');
    return 2;
  }
  const docker = new Docker();
  if (action === 'apply') await ensureRoomsNetwork(docker, o.network, o.instance);
  const bridge = await roomsBridge(docker, o.network).catch(() => null);
  if (!bridge) {
    log.error({ network: o.network }, 'the rooms network is missing or not a bridge of our own');
    return 1;
  }
  if (action === 'remove') {
    await removeRoomFirewall(bridge);
    log.info({ bridge }, 'room firewall removed');
    return 0;
  }
  const result = await applyRoomFirewall(bridge, { allow: o.egressAllow, log });
  if (!result.installed) log.error({ bridge, reason: result.reason }, 'room firewall not installed');
  return result.installed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log.fatal({ err }, 'room firewall failed');
    process.exit(1);
  },
);

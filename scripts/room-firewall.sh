#!/usr/bin/env bash
# Installs (apply, the default) or removes the Docker rooms' firewall on this host: rooms reach
# neither the host's addresses nor private, link-local or metadata addresses (docs/security.md,
# "Docker rooms"). The dashboard does this itself when it runs as root on the host; run this as
# root when it cannot (the compose deployment), once after `up` and after every reboot, with the
# dashboard's settings in the environment:
#   sudo BOXROOM_ROOM_EGRESS_ALLOW=10.1.0.0/16 bash scripts/room-firewall.sh [apply|remove]
# BOXROOM_DOCKER_NETWORK (default boxroom-rooms) and BOXROOM_DOCKER_INSTANCE are read the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "room-firewall: run as root (it changes the host's iptables rules)" >&2; exit 1; }
node scripts/build.mjs --only=dashboard/src/room-firewall-cli
exec node dashboard/dist/room-firewall.mjs "${1:-apply}"

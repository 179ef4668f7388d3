#!/usr/bin/env bash
# Creates the unprivileged system user that local rooms' desktops run as when the dashboard runs as
# root (BOXROOM_DESKTOP_USER, default boxroom-desktop): no home directory, no login shell, its own
# group. The agent gives each room's desktop a private home of its own. Idempotent; run by
# scripts/setup.sh. As an ordinary user it can only say what it would do.
set -euo pipefail
user="${BOXROOM_DESKTOP_USER:-boxroom-desktop}"
log() { printf '[setup] %s\n' "$*" >&2; }

if id -u "$user" >/dev/null 2>&1; then
  [ "$(id -u "$user")" != 0 ] || { log "BOXROOM_DESKTOP_USER=$user is root: rooms would not be separated"; exit 1; }
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  log "run as an ordinary user, local rooms run as that user: not separated from the dashboard (docs/security.md)."
  log "to separate them, once: sudo bash scripts/setup.sh, then start the dashboard as root"
  exit 0
fi
log "creating the system user $user (local rooms' desktops run as it)"
useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"

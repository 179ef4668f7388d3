#!/usr/bin/env bash
# Installs what boxroom needs, idempotently: Debian packages (when root, otherwise it prints the
# exact command), npm dependencies, the bundles, and for tests the Docker engine and images.
#   bash scripts/setup.sh          what `npm start` needs
#   bash scripts/setup.sh test     what `npm test` needs (adds Chromium, Firefox ESR, X tools, PostgreSQL, Docker + images)
#   IMAGES=none bash scripts/setup.sh test   all of that but the images (.ci/run builds them meanwhile)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-start}"
log() { printf '[setup] %s\n' "$*" >&2; }

# Node: package.json `engines` (20.19 runs the ES-module-only dependencies that fastify require()s)
NODE_MIN=20.19
if ! node -e "const [a, b] = process.versions.node.split('.').map(Number); const [c, d] = '$NODE_MIN'.split('.').map(Number); process.exit(a > c || (a === c && b >= d) ? 0 : 1)"; then
  log "Node.js $NODE_MIN or newer is needed, this is $(node --version 2>/dev/null || echo 'no node')"
  exit 1
fi

# command -> Debian package
declare -A need=(
  [Xvfb]=xvfb [x11vnc]=x11vnc [ffmpeg]=ffmpeg [ffprobe]=ffmpeg [pulseaudio]=pulseaudio
  [openbox]=openbox [xterm]=xterm [fc-list]=fontconfig
  # the desktop template's panel and file manager
  [tint2]=tint2 [pcmanfm]=pcmanfm
)
if [ "$mode" = test ]; then
  need+=(
    [xdotool]=xdotool [xclip]=xclip [xinput]=xinput [xwd]=x11-apps [xprop]=x11-utils [xset]=x11-xserver-utils
    [chromium]=chromium [firefox-esr]=firefox-esr [dockerd]=docker.io [debootstrap]=debootstrap [docker-compose]=docker-compose
  )
fi
missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || missing+=(fonts-dejavu-core)
# The PostgreSQL store's tests start throwaway clusters with the server binaries, which are not on PATH.
if [ "$mode" = test ] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  missing+=(postgresql)
fi
# boxroom-capture and boxroom-screen (compiled by build.mjs) need a C compiler, X headers and x264's (header -> package). Optional:
# without them rooms fall back to ffmpeg's x11grab, so only root installs them; others get a hint.
declare -A capture_need=(
  [X11/Xlib.h]=libx11-dev [X11/extensions/XShm.h]=libxext-dev
  [X11/extensions/Xfixes.h]=libxfixes-dev [X11/extensions/Xdamage.h]=libxdamage-dev
  [X11/extensions/Xrandr.h]=libxrandr-dev [x264.h]=libx264-dev
)
capture_missing=()
command -v cc >/dev/null 2>&1 || capture_missing+=(gcc libc6-dev)
for h in "${!capture_need[@]}"; do [ -e "/usr/include/$h" ] || capture_missing+=("${capture_need[$h]}"); done
if [ ${#capture_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    missing+=("${capture_missing[@]}")
  else
    log "optional, for low idle CPU: sudo apt-get install -y --no-install-recommends ${capture_missing[*]}"
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # The tests start throwaway clusters of their own: the package's default cluster (a server on
    # port 5432 started at install) would be one more database running for nothing.
    if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.d/boxroom.conf ]; then
      mkdir -p /etc/postgresql-common/createcluster.d
      echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/boxroom.conf
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "missing system packages. Run:"
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

# Run as root, the local driver runs each room's desktop as an unprivileged user of its own.
bash scripts/desktop-user.sh

# npm dependencies: install when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

log "building bundles"
node scripts/build.mjs

if [ "$mode" = test ] && [ "${IMAGES:-}" != none ] && [ -x scripts/images.sh ]; then
  bash scripts/images.sh
fi

#!/usr/bin/env bash
# Builds boxroom's container images: the room image (boxroom/room), the dashboard image
# (boxroom/dashboard) and PostgreSQL for replicated dashboards (boxroom/postgres, compose/stack.yaml).
# Never reaches a container registry unless
# asked: the base is debian:bookworm-slim when that image is already local, else one built from
# Debian packages (room-image/build-base.sh); Node comes from node:20-bookworm-slim when local, else
# from the host's own binary. Idempotent and layer-cached; starts dockerd when root and no engine answers.
#
#   bash scripts/images.sh            (ROOM_IMAGE=boxroom/room:latest DASHBOARD_IMAGE=boxroom/dashboard:latest
#                                      POSTGRES_IMAGE=boxroom/postgres:latest)
#   BOXROOM_PULL=1 bash scripts/images.sh    (a registry is reachable: pull the slim images when missing)
#   BASE_IMAGE=debian:bookworm-slim NODE_IMAGE=node:20-bookworm-slim bash scripts/images.sh
#                                     (exactly these images; the engine pulls them if they are not local)
#   BROWSER=firefox-esr | BROWSER=   (room app packages; default chromium)
#   IMAGES=room                       (only the room image, as the docker driver's tests need)
#   IMAGES=dashboard,postgres         (any of room, dashboard, postgres, comma-separated; default all)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[images] %s\n' "$*" >&2; }

room_image="${ROOM_IMAGE:-boxroom/room:latest}"
dashboard_image="${DASHBOARD_IMAGE:-boxroom/dashboard:latest}"
postgres_image="${POSTGRES_IMAGE:-boxroom/postgres:latest}"

images="${IMAGES:-all}"
[ "$images" = all ] && images=room,dashboard,postgres
for i in ${images//,/ }; do
  case "$i" in room | dashboard | postgres) ;; *) log "IMAGES: unknown image '$i' (room, dashboard, postgres)"; exit 1 ;; esac
done
wanted() { [[ ",$images," == *",$1,"* ]]; }

ensure_engine() {
  docker info >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null && ! pgrep -x dockerd >/dev/null; then
    log "starting dockerd (log: /tmp/dockerd.log)"
    (setsid dockerd >/tmp/dockerd.log 2>&1 &)
  fi
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && return 0; sleep 0.5; done
  log "no Docker engine answers: start dockerd, or run as a user in the docker group"
  exit 1
}

# The registry image when it is already here, or when pulling was asked for (BOXROOM_PULL=1). No
# probing of the registry otherwise: machines without one would wait on a timeout every build, and
# outbound traffic to registries is not allowed everywhere (it is not in our CI).
have_or_pull() { # image
  docker image inspect "$1" >/dev/null 2>&1 && return 0
  [ "${BOXROOM_PULL:-0}" = 1 ] || return 1
  log "pulling $1 (BOXROOM_PULL=1)"
  docker pull -q "$1" >/dev/null
}

# An explicit BASE_IMAGE is used as given: `docker build` pulls it if it is not local.
resolve_base() {
  if [ -n "${BASE_IMAGE:-}" ]; then echo "$BASE_IMAGE"; return; fi
  if have_or_pull debian:bookworm-slim; then echo debian:bookworm-slim; return; fi
  docker image inspect boxroom/base:bookworm >/dev/null 2>&1 || log "building the base image from Debian packages"
  bash room-image/build-base.sh boxroom/base:bookworm >/dev/null
  echo boxroom/base:bookworm
}

# Any image with /usr/local/bin/node >= 20. Offline, a scratch image holding the host's binary (a
# glibc build, so the host's node must be a Debian/glibc one, as it is here); it is only ever a
# COPY --from source, so it needs nothing else.
resolve_node() {
  if [ -n "${NODE_IMAGE:-}" ]; then echo "$NODE_IMAGE"; return; fi
  if have_or_pull node:20-bookworm-slim; then echo node:20-bookworm-slim; return; fi
  local node_bin version ctx tag
  node_bin="$(readlink -f "$(command -v node)")"
  version="$("$node_bin" -p 'process.versions.node')"
  [ "${version%%.*}" -ge 20 ] || { log "host node $version is older than 20"; exit 1; }
  tag="boxroom/node:$version-local"
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    log "wrapping the host's node $version into $tag"
    ctx="$(mktemp -d /tmp/boxroom-node.XXXXXX)"
    cp "$node_bin" "$ctx/node"
    printf 'FROM scratch\nCOPY node /usr/local/bin/node\n' >"$ctx/Dockerfile"
    docker build -q -t "$tag" "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
  echo "$tag"
}

build() { # tag dockerfile [extra build args...]
  local tag="$1" file="$2" start
  shift 2
  start=$(date +%s)
  docker build -t "$tag" -f "$file" --build-arg "BASE_IMAGE=$base" "$@" "$ctx" >&2
  log "$tag built in $(( $(date +%s) - start )) s ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1e6}'))"
}

# The build context is a directory of its own laid out like the repository: the files .dockerignore
# lets through, with the standalone bundles written straight into it. A plain `node scripts/build.mjs`
# running meanwhile (tests, npm start) rewrites the repository's dist/ with bundles that need
# node_modules; built from the repository, an image could pick those up.
stage_context() {
  local p
  ctx="$(mktemp -d /tmp/boxroom-images.XXXXXX)"
  trap 'rm -rf "$ctx"' EXIT
  cp .dockerignore "$ctx/"
  while read -r p; do
    case "$p" in */dist/*.mjs | */dist/*.mjs.map) continue ;; esac # the bundler writes those
    if [ -e "$p" ]; then cp -a --parents "$p" "$ctx/"; fi
  done < <(sed -n 's/^!//p' .dockerignore)
}

ensure_engine
base="$(resolve_base)"
# Node only for the images that run it: PostgreSQL's needs none.
if wanted room || wanted dashboard; then node="$(resolve_node)"; else node=none; fi
log "base $base, node from $node"
stage_context

# PostgreSQL's image shares only the base with the others: it builds beside them. Each build is mostly
# apt-get and dpkg, about one core's work (a fresh CI machine: room 223 s, then postgres 118 s, one
# after the other). Its output goes to a file of its own, shown once it is done.
pg_pid=""
if wanted postgres; then
  pg_log="$(mktemp /tmp/boxroom-postgres-build.XXXXXX)"
  trap 'rm -rf "$ctx" "$pg_log"; [ -z "$pg_pid" ] || kill "$pg_pid" 2>/dev/null || true' EXIT
  build "$postgres_image" postgres-image/Dockerfile >"$pg_log" 2>&1 &
  pg_pid=$!
fi

if wanted room; then
  node scripts/build.mjs --standalone --only=room-agent --outdir="$ctx"
  [ -f "$ctx/room-agent/dist/room-agent.mjs" ] || { log "room-agent/src/main.ts is missing: nothing to put in the room image"; exit 1; }
  build "$room_image" room-image/Dockerfile --build-arg "NODE_IMAGE=$node" --build-arg "BROWSER=${BROWSER-chromium}"
fi

if wanted dashboard; then
  # Not fatal: the other images are what most tests need, and the dashboard bundle may lag behind.
  if ! node scripts/build.mjs --standalone --only=dashboard --outdir="$ctx"; then
    log "WARNING: bundling the dashboard failed: skipping $dashboard_image"
  elif [ -f "$ctx/dashboard/dist/server.mjs" ] && [ -f "$ctx/dashboard/dist/janitor.mjs" ]; then
    build "$dashboard_image" dashboard/Dockerfile --build-arg "NODE_IMAGE=$node"
  else
    log "dashboard/src/server.ts does not exist yet: skipping $dashboard_image"
  fi
fi

if [ -n "$pg_pid" ]; then
  status=0
  wait "$pg_pid" || status=$?
  pg_pid=""
  if [ "$status" != 0 ]; then
    tail -n 50 "$pg_log" >&2
    log "building $postgres_image failed (exit $status)"
    exit "$status"
  fi
  grep '^\[images\]' "$pg_log" >&2 || true
fi
# Layers replaced by a rebuild stay behind untagged: drop them so repeated builds do not fill the disk.
docker image prune -f --filter label=io.boxroom.image >/dev/null 2>&1 || true

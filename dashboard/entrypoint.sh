#!/bin/sh
# The dashboard image's entrypoint. Started as root (compose/compose.yaml and compose/stack.yaml do,
# with SETUID, SETGID and SETPCAP only) it joins the group that owns the Docker socket, whatever its
# number on this host, then runs itself again as boxroom (uid 1000) with no capability left, bounding
# set included: no DOCKER_GID to find and export by hand. Started as anyone else (the image's default
# user), it goes on as it is, and access to the socket is up to `--group-add`.
#
# Then, as that user, settings from files (swarm secrets, compose/stack.yaml), for what the dashboard
# takes from its environment or its data dir only; each file is read by the user the dashboard runs as:
#   BOXROOM_ADMIN_TOKEN_FILE, BOXROOM_METRICS_TOKEN_FILE, BOXROOM_WEBHOOK_SECRET_FILE
#                                   the setting without _FILE, from the file (both set: an error)
#   BOXROOM_DATABASE_PASSWORD_FILE  the password put into BOXROOM_DATABASE_URL (which then has none)
#   BOXROOM_SIGNING_KEY_FILE        Ed25519 private key (PKCS#8 PEM): <data>/keys/token-ed25519.pem,
#                                   and its public key beside it
#   BOXROOM_INVITE_KEY_FILE         invite HMAC key (32 bytes, base64): <data>/keys/invite.key
# Replicas given the same files sign, verify and derive alike. Every *_FILE is gone from the
# environment the dashboard gets, and no secret ever goes on a command line.
set -eu
if [ "$(id -u)" = 0 ]; then
  groups=1000
  socket=/var/run/docker.sock
  if [ -S "$socket" ]; then
    gid=$(stat -c %g "$socket")
    # a socket owned by group 0 is joined as such: that is what the engine asks of its clients there
    groups="$groups,$gid"
  fi
  exec setpriv --reuid=1000 --regid=1000 --groups="$groups" --inh-caps=-all --bounding-set=-all -- "$0" "$@"
fi

fail() {
  echo "entrypoint: $*" >&2
  exit 1
}

# The file's content without its trailing newline (`docker secret create` keeps what it is given).
read_secret() { # variable file
  [ -r "$2" ] || fail "$1 $2 cannot be read"
  value=$(cat "$2")
  [ -n "$value" ] || fail "$1 $2 is empty"
}

for name in BOXROOM_ADMIN_TOKEN BOXROOM_METRICS_TOKEN BOXROOM_WEBHOOK_SECRET; do
  eval "file=\${${name}_FILE:-} direct=\${${name}:-}"
  [ -n "$file" ] || continue
  [ -z "$direct" ] || fail "set $name or ${name}_FILE, not both"
  read_secret "${name}_FILE" "$file"
  export "$name=$value"
  unset "${name}_FILE"
done

if [ -n "${BOXROOM_DATABASE_PASSWORD_FILE:-}" ]; then
  [ -n "${BOXROOM_DATABASE_URL:-}" ] || fail "BOXROOM_DATABASE_PASSWORD_FILE is set but BOXROOM_DATABASE_URL is not"
  read_secret BOXROOM_DATABASE_PASSWORD_FILE "$BOXROOM_DATABASE_PASSWORD_FILE"
  # encoded whole (the URL setter leaves `%` as it is); the URL never goes on a command line
  BOXROOM_DATABASE_URL=$(PASSWORD="$value" node -e '
    const u = new URL(process.env.BOXROOM_DATABASE_URL);
    u.password = encodeURIComponent(process.env.PASSWORD);
    process.stdout.write(u.href);
  ') || fail "BOXROOM_DATABASE_URL is not a URL"
  export BOXROOM_DATABASE_URL
  unset BOXROOM_DATABASE_PASSWORD_FILE
fi

if [ -n "${BOXROOM_SIGNING_KEY_FILE:-}${BOXROOM_INVITE_KEY_FILE:-}" ]; then
  keys="${BOXROOM_DATA_DIR:-/data}/keys"
  mkdir -p -m 0700 "$keys"
fi
if [ -n "${BOXROOM_SIGNING_KEY_FILE:-}" ]; then
  read_secret BOXROOM_SIGNING_KEY_FILE "$BOXROOM_SIGNING_KEY_FILE"
  # The dashboard makes a new pair when either file is missing: the public one is derived here, and a
  # key that is not Ed25519 stops the start rather than every token.
  KEY="$value" node -e '
    const { createPrivateKey, createPublicKey } = require("node:crypto");
    const { writeFileSync } = require("node:fs");
    const [, dir] = process.argv;
    let key;
    try { key = createPrivateKey(process.env.KEY); } catch { key = null; }
    if (key?.asymmetricKeyType !== "ed25519") {
      console.error("entrypoint: BOXROOM_SIGNING_KEY_FILE holds no Ed25519 private key (openssl genpkey -algorithm ed25519)");
      process.exit(1);
    }
    writeFileSync(`${dir}/token-ed25519.pem`, key.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    writeFileSync(`${dir}/token-ed25519.pub.pem`, createPublicKey(key).export({ type: "spki", format: "pem" }), { mode: 0o644 });
  ' "$keys"
  unset BOXROOM_SIGNING_KEY_FILE
fi
if [ -n "${BOXROOM_INVITE_KEY_FILE:-}" ]; then
  read_secret BOXROOM_INVITE_KEY_FILE "$BOXROOM_INVITE_KEY_FILE"
  # shorter than 32 bytes' base64 and the dashboard would replace it with a key of its own
  [ "$(printf '%s' "$value" | tr -d '=' | wc -c)" -ge 43 ] ||
    fail "BOXROOM_INVITE_KEY_FILE must hold 32 random bytes in base64 (openssl rand -base64 32)"
  (umask 077 && printf '%s\n' "$value" >"$keys/invite.key")
  unset BOXROOM_INVITE_KEY_FILE
fi
unset value

exec "$@"

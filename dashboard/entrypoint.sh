#!/bin/sh
# The dashboard image's entrypoint. Started as root (compose/compose.yaml does, with SETUID, SETGID
# and SETPCAP only) it joins the group that owns the Docker socket, whatever its number on this host,
# then runs the command as boxroom (uid 1000) with no capability left, bounding set included: no
# DOCKER_GID to find and export by hand. Started as anyone else (the image's default user), it runs
# the command as it is, and access to the socket is up to `--group-add`.
set -eu
if [ "$(id -u)" != 0 ]; then exec "$@"; fi
groups=1000
socket=/var/run/docker.sock
if [ -S "$socket" ]; then
  gid=$(stat -c %g "$socket")
  # a socket owned by group 0 is joined as such: that is what the engine asks of its clients there
  groups="$groups,$gid"
fi
exec setpriv --reuid=1000 --regid=1000 --groups="$groups" --inh-caps=-all --bounding-set=-all -- "$@"

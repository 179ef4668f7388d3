#!/bin/bash
# Container healthcheck: healthy when the agent's GET /healthz answers 200. Pure bash (/dev/tcp) so it
# costs a couple of ms of CPU per run, not a Node start; the port follows BOXROOM_AGENT_PORT.
exec 3<>"/dev/tcp/127.0.0.1/${BOXROOM_AGENT_PORT:-9000}" || exit 1
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS=' ' read -r -t 2 _ status _ <&3 || exit 1
[ "$status" = 200 ]

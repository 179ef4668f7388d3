#!/usr/bin/env bash
# Builds a Debian bookworm base image from Debian packages alone, for machines that reach Debian's
# mirror but no container registry (CI here, air-gapped sites). It mirrors what debian:bookworm-slim
# is (minbase + dpkg excludes for docs/man/locales + apt's docker-clean), so every Dockerfile can say
# `FROM ${BASE_IMAGE}` and work the same with either. Idempotent: an existing tag is kept.
#
#   room-image/build-base.sh [TAG]          (default boxroom/base:bookworm; needs root and debootstrap)
#   DEBIAN_MIRROR=http://deb.debian.org/debian  FORCE=1 (rebuild even if the tag exists)
set -euo pipefail

tag="${1:-${BASE_IMAGE:-boxroom/base:bookworm}}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

if [[ "${FORCE:-0}" != 1 ]] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag exists, skipping (FORCE=1 rebuilds)"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }

rootfs="$(mktemp -d /tmp/boxroom-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT

start=$(date +%s)
debootstrap --variant=minbase bookworm "$rootfs" "$mirror"

# What the official slim image configures, so `apt-get install` in a Dockerfile behaves the same.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG
echo 'Acquire::GzipIndexes "true";' >"$rootfs/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'APT::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SRC
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security_mirror
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
# debootstrap leaves its package cache, lists and the docs dpkg would now exclude.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/*/[!c]* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log \
  "$rootfs"/var/log/apt/* "$rootfs"/dev/*
: >"$rootfs/etc/hostname"
: >"$rootfs/etc/resolv.conf"

tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change 'CMD ["bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$tag" >/dev/null
echo "base image $tag built in $(( $(date +%s) - start )) s"

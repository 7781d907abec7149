#!/bin/bash
# Prepares a fresh Debian bookworm host for kdrill: Debian packages (docker.io,
# debootstrap, jq, chromium for the report test), Go (scripts/install-go.sh), kernel limits for multi-node kind, and a running Docker
# daemon. Idempotent: every step checks first. Used by the README and .ci/run.
set -euo pipefail
log() { printf '[setup-host] %s\n' "$*" >&2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

need_pkgs=()
command -v dockerd >/dev/null || need_pkgs+=(docker.io)
command -v debootstrap >/dev/null || need_pkgs+=(debootstrap)
command -v jq >/dev/null || need_pkgs+=(jq)
command -v gcc >/dev/null || need_pkgs+=(gcc libc6-dev)
command -v curl >/dev/null || need_pkgs+=(curl ca-certificates)
command -v unzip >/dev/null || need_pkgs+=(unzip)
# the e2e tier opens the HTML report in a real browser (headless): Debian's Chromium
command -v chromium >/dev/null || need_pkgs+=(chromium)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { log "need root to install: ${need_pkgs[*]}"; exit 1; }
  log "installing Debian packages: ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# Go >= 1.25 for kind, Kubernetes, etcd, CoreDNS, actionlint (bookworm's golang-go is 1.19): from the Go module proxy if need be.
bash "$here/install-go.sh"

# kind with several nodes exhausts the default inotify limits (kubelet, systemd).
for kv in fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512; do
  k=${kv%=*} v=${kv#*=}
  cur=$(sysctl -n "$k" 2>/dev/null || echo 0)
  if [ "$cur" -lt "$v" ]; then sysctl -q -w "$kv" || log "could not raise $k (is this root?)"; fi
done

# kdrill-slowfs (the exact fsync delay of the 3-control-plane drills) mounts FUSE inside kind nodes.
if [ ! -c /dev/fuse ]; then
  modprobe fuse 2>/dev/null || true
  [ -c /dev/fuse ] || log "warning: no /dev/fuse: drills on the 3-control-plane shape (kdrill-slowfs) cannot run here"
fi

# Does the host's capability bounding set lack CAP_SYS_RESOURCE (bit 24)?
# Then a --privileged container (every kind node) fails in runc unless the
# runtime drops that capability: see scripts/runc-wrapper.
needs_wrapper() {
  local bnd
  bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  (( (16#$bnd >> 24 & 1) == 0 ))
}
wrapper_dst=/usr/local/lib/kdrill/runc-wrapper

if docker info >/dev/null 2>&1; then
  if needs_wrapper && [ "$(docker info --format '{{.DefaultRuntime}}' 2>/dev/null)" != kdrill-runc ]; then
    log "WARNING: a Docker daemon is running without kdrill's runc wrapper on a host that lacks"
    log "CAP_SYS_RESOURCE: privileged kind nodes will fail. Stop it and re-run this script."
  fi
  log "docker daemon answers: $(docker info --format '{{.ServerVersion}} ({{.DefaultRuntime}})')"
  exit 0
fi

args=()
if needs_wrapper; then
  install -D -m 0755 "$here/runc-wrapper" "$wrapper_dst"
  args+=(--add-runtime "kdrill-runc=$wrapper_dst" --default-runtime kdrill-runc)
  log "host lacks CAP_SYS_RESOURCE: dockerd will use $wrapper_dst as its default runtime"
fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ] && [ ${#args[@]} -eq 0 ]; then
  systemctl start docker
else
  log "starting dockerd (log: /var/log/kdrill-dockerd.log)"
  nohup dockerd "${args[@]}" >/var/log/kdrill-dockerd.log 2>&1 &
fi
for _ in $(seq 1 120); do
  docker info >/dev/null 2>&1 && break
  sleep 0.5
done
docker info >/dev/null 2>&1 || { log "dockerd did not come up; see /var/log/kdrill-dockerd.log"; tail -20 /var/log/kdrill-dockerd.log >&2; exit 1; }
log "docker daemon up: $(docker info --format '{{.ServerVersion}} ({{.DefaultRuntime}})')"

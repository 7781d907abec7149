#!/bin/bash
# Makes sure a Go toolchain new enough for kdrill's builds is on PATH.
# kind v0.30, Kubernetes v1.34, etcd 3.6 and CoreDNS need Go >= 1.24, actionlint (tests) 1.25; Debian
# bookworm's golang-go is 1.19, which cannot build them (and too old to fetch a
# newer toolchain by itself). So, when `go` is missing or older, this fetches
# the Go distribution from the Go module proxy (the golang.org/toolchain
# module, the same zip `go` itself downloads for GOTOOLCHAIN switching), into
# /usr/local/lib/kdrill/go<version>, and links go and gofmt into
# /usr/local/bin. Idempotent. Used by scripts/setup-host.sh.
set -euo pipefail
log() { printf '[install-go] %s\n' "$*" >&2; }
GO_MIN=1.25
GO_WANT=${KDRILL_GO_VERSION:-1.26.8}   # the version kdrill's measurements were made with
prefix=${KDRILL_GO_PREFIX:-/usr/local/lib/kdrill}
links=${KDRILL_GO_LINKS:-/usr/local/bin}

have_version() { # the version of the go on PATH, e.g. 1.26.8, or nothing
  command -v go >/dev/null || return 0
  go version 2>/dev/null | awk '{ sub(/^go/, "", $3); print $3 }'
}
at_least() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$1" ]; }

v=$(have_version)
if [ -n "$v" ] && at_least "$GO_MIN" "$v"; then
  log "go $v on PATH ($(command -v go)): new enough (>= $GO_MIN)"
  exit 0
fi
log "go ${v:-missing} on PATH; kdrill needs >= $GO_MIN: installing go $GO_WANT from the Go module proxy"

case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) log "no Go toolchain for $(uname -m); install Go >= $GO_MIN by hand"; exit 1 ;;
esac
root=$prefix/go$GO_WANT
if [ ! -x "$root/bin/go" ]; then
  for tool in curl unzip; do
    command -v "$tool" >/dev/null || { log "need $tool (apt-get install $tool)"; exit 1; }
  done
  # the host's own module proxy: GOPROXY, or what an installed (older) go says its proxy is; no default of ours
  goproxy=${GOPROXY:-}
  if [ -z "$goproxy" ] && command -v go >/dev/null; then goproxy=$(go env GOPROXY 2>/dev/null || true); fi
  # the first proxy that is a URL (not direct/off); proxies are separated by , or |
  proxy=$(printf '%s' "$goproxy" | tr ',|' '\n\n' | grep -E '^https?://' | head -1)
  [ -n "$proxy" ] || { log "no Go module proxy configured (GOPROXY=${goproxy:-unset}): set GOPROXY to this host's module proxy, or install Debian's golang-go first"; exit 1; }
  mod="golang.org/toolchain/@v/v0.0.1-go$GO_WANT.linux-$arch.zip"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  log "fetching $proxy/$mod"
  curl -fsSL --retry 3 -o "$tmp/go.zip" "$proxy/$mod" || { log "could not fetch $proxy/$mod"; exit 1; }
  unzip -q "$tmp/go.zip" -d "$tmp/x"
  src="$tmp/x/golang.org/toolchain@v0.0.1-go$GO_WANT.linux-$arch"
  [ -f "$src/bin/go" ] || { log "the toolchain zip has no bin/go"; exit 1; }
  # module zips keep no file modes: the tools must be made executable (go does the same when it switches)
  chmod 0755 "$src"/bin/* "$src"/pkg/tool/linux_"$arch"/*
  mkdir -p "$prefix"
  rm -rf "$root.partial"
  mv "$src" "$root.partial"
  mv "$root.partial" "$root"
fi
mkdir -p "$links"
ln -sfn "$root/bin/go" "$links/go"
ln -sfn "$root/bin/gofmt" "$links/gofmt"
hash -r
v=$(have_version)
if [ -z "$v" ] || ! at_least "$GO_MIN" "$v"; then
  log "installed go $GO_WANT in $root and linked it into $links, but \`go\` on PATH is still ${v:-missing}"
  log "put $links before $(dirname "$(command -v go 2>/dev/null || echo /usr/bin/go)") in PATH, or remove the older Go"
  exit 1
fi
log "go $v: $(command -v go) -> $root"

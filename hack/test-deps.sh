#!/usr/bin/env bash
# test-deps.sh makes sure the real servers used by the integration tests exist:
#   - prometheus and promtool (Debian's "prometheus" package),
#   - etcd (Debian's "etcd-server" package), for the kube-apiserver tests,
#   - .cache/bin/victoria-metrics, built from tools/victoriametrics.
# It is idempotent and prints nothing when everything is already present.
# `make test` calls it first; it works on a bare Debian 12 machine as root and on
# CI with cold caches.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/hack/lib.sh"

# --- Debian packages ---------------------------------------------------------
pkgs=()
if ! have prometheus || ! have promtool; then pkgs+=(prometheus); fi
if ! have etcd; then pkgs+=(etcd-server); fi

if [ "${#pkgs[@]}" -gt 0 ]; then
	apt_install "${pkgs[@]}"
	for b in prometheus promtool etcd; do
		have "$b" || { log "apt-get finished but $b is still missing"; exit 1; }
	done
fi

# --- VictoriaMetrics ---------------------------------------------------------
tools="$root/tools/victoriametrics"
bin="$root/.cache/bin/victoria-metrics"
pkg=github.com/VictoriaMetrics/VictoriaMetrics
version="$(gomod_version "$pkg" "$tools/go.mod")"
if [ -z "$version" ]; then
	log "cannot read the VictoriaMetrics version from $tools/go.mod"
	exit 1
fi
stamp="$bin.version"

if [ -x "$bin" ] && { [ ! -e "$stamp" ] || [ "$(cat "$stamp")" = "$version" ]; }; then
	exit 0
fi

have go || { log "go is not on PATH: cannot build victoria-metrics"; exit 1; }
log "building victoria-metrics $version into .cache/bin (once per machine; ~1 min cold)"
mkdir -p "$(dirname "$bin")"
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
start=$(date +%s)
(
	cd "$tools"
	GOWORK=off GOFLAGS=-mod=readonly go build -trimpath \
		-ldflags "-s -w -X $pkg/lib/buildinfo.Version=victoria-metrics-$version" \
		-o "$tmp" "$pkg/app/victoria-metrics"
)
mv -f "$tmp" "$bin"
trap - EXIT
printf '%s\n' "$version" >"$stamp"
log "built victoria-metrics $version in $(($(date +%s) - start))s"

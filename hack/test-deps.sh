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
log() { printf 'test-deps: %s\n' "$*" >&2; }

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ]; }

# --- Debian packages ---------------------------------------------------------
pkgs=()
if ! have prometheus || ! have promtool; then pkgs+=(prometheus); fi
if ! have etcd; then pkgs+=(etcd-server); fi

if [ "${#pkgs[@]}" -gt 0 ]; then
	if ! have apt-get; then
		log "missing ${pkgs[*]} and no apt-get: install them by hand (the integration tests will skip)"
		exit 1
	fi
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		if have sudo; then sudo=(sudo -n); else
			log "missing ${pkgs[*]}: run this script as root (or with sudo) to install them"
			exit 1
		fi
	fi
	log "installing ${pkgs[*]} with apt-get"
	# The prometheus package starts a service listening on 0.0.0.0:9090 when it
	# can. Tests never use it, so forbid service starts for this install with the
	# standard policy-rc.d hook (honoured by invoke-rc.d and deb-systemd-invoke);
	# this also keeps hosts without systemd from failing in postinst.
	policy=/usr/sbin/policy-rc.d
	added_policy=""
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
		"${sudo[@]}" chmod 755 "$policy"
		added_policy=1
	fi
	cleanup() { if [ -n "$added_policy" ]; then "${sudo[@]}" rm -f "$policy"; fi; }
	trap cleanup EXIT
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends -o Dpkg::Options::=--force-confdef \
		-o Dpkg::Options::=--force-confold "${pkgs[@]}" >/dev/null
	cleanup
	trap - EXIT
	for b in prometheus promtool etcd; do
		have "$b" || { log "apt-get finished but $b is still missing"; exit 1; }
	done
fi

# --- VictoriaMetrics ---------------------------------------------------------
tools="$root/tools/victoriametrics"
bin="$root/.cache/bin/victoria-metrics"
pkg=github.com/VictoriaMetrics/VictoriaMetrics
version="$(awk -v m="$pkg" '$1 == m || ($1 == "require" && $2 == m) { print $NF; exit }' "$tools/go.mod")"
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

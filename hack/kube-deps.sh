#!/usr/bin/env bash
# kube-deps.sh makes sure the real Kubernetes control plane used by the
# queries/kube integration tests exists in .cache/kube/<version>/:
#   - etcd            (copied from Debian's "etcd-server" package, installed with
#                      apt-get when missing),
#   - kube-apiserver  (built from tools/kube-apiserver; <version> is the
#                      k8s.io/kubernetes version that module requires).
# internal/testenv points envtest (KUBEBUILDER_ASSETS) at that folder.
#
# It is idempotent and prints nothing when everything is already present. It
# works on a bare Debian 12 machine as root and on CI with cold caches. The
# kube-apiserver build takes about 7 minutes cold on 2 cores and a few seconds
# with a warm GOCACHE; it runs once per machine (per version).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/hack/lib.sh"

tools="$root/tools/kube-apiserver"
pkg=k8s.io/kubernetes
version="$(gomod_version "$pkg" "$tools/go.mod")"
if [ -z "$version" ]; then
	log "cannot read the $pkg version from $tools/go.mod"
	exit 1
fi
dir="$root/.cache/kube/$version"
apiserver="$dir/kube-apiserver"
etcd="$dir/etcd"

if [ -x "$apiserver" ] && [ -x "$etcd" ]; then
	exit 0
fi

mkdir -p "$dir"
# Two runs at once (e.g. two test jobs on one machine) would build twice and
# race on the files: serialise them.
if have flock; then
	exec 9>"$dir/.lock"
	flock 9
	if [ -x "$apiserver" ] && [ -x "$etcd" ]; then
		exit 0
	fi
fi

# --- etcd (Debian's etcd-server) ---------------------------------------------
find_etcd() {
	if have etcd; then command -v etcd; elif [ -x /usr/bin/etcd ]; then echo /usr/bin/etcd; fi
}
if [ ! -x "$etcd" ]; then
	src="$(find_etcd)"
	if [ -z "$src" ]; then
		apt_install etcd-server
		src="$(find_etcd)"
		if [ -z "$src" ]; then
			log "apt-get finished but etcd is still missing"
			exit 1
		fi
	fi
	# A copy, not a link: the folder stays usable if it is cached and restored
	# on another machine.
	cp -f "$src" "$etcd.tmp.$$"
	chmod 755 "$etcd.tmp.$$"
	mv -f "$etcd.tmp.$$" "$etcd"
fi

# --- kube-apiserver, built from tools/kube-apiserver ----------------------------
if [ ! -x "$apiserver" ]; then
	have go || { log "go is not on PATH: cannot build kube-apiserver"; exit 1; }
	log "building kube-apiserver $version into .cache/kube/$version (once per machine; ~7 min cold on 2 cores)"
	tmp="$apiserver.tmp.$$"
	trap 'rm -f "$tmp"' EXIT
	start=$(date +%s)
	(
		cd "$tools"
		GOWORK=off GOFLAGS=-mod=readonly go build -trimpath \
			-ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$version" \
			-o "$tmp" "$pkg/cmd/kube-apiserver"
	)
	mv -f "$tmp" "$apiserver"
	trap - EXIT
	log "built kube-apiserver $version in $(($(date +%s) - start))s"
fi

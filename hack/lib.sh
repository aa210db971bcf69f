# Shared shell helpers of the hack/ scripts: source it, do not run it.

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ]; }

# apt_install PKG...: installs Debian packages quietly, as root or through
# sudo -n. Packages that ship a service (prometheus, etcd-server) must not
# start it: the tests start their own servers on 127.0.0.1. Service starts
# are forbidden for the install with the standard policy-rc.d hook (honoured
# by invoke-rc.d and deb-systemd-invoke), which also keeps hosts without
# systemd from failing in postinst.
apt_install() {
	if ! have apt-get; then
		log "missing $* and no apt-get: install them by hand (the integration tests will skip)"
		return 1
	fi
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		if have sudo; then sudo=(sudo -n); else
			log "missing $*: run this script as root (or with sudo) to install them"
			return 1
		fi
	fi
	log "installing $* with apt-get"
	local policy=/usr/sbin/policy-rc.d added_policy=""
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
		"${sudo[@]}" chmod 755 "$policy"
		added_policy=1
	fi
	local rc=0
	{
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends -o Dpkg::Options::=--force-confdef \
				-o Dpkg::Options::=--force-confold "$@" >/dev/null
	} || rc=$?
	if [ -n "$added_policy" ]; then "${sudo[@]}" rm -f "$policy"; fi
	return "$rc"
}

# gomod_version MODULE GOMOD: the version GOMOD requires of MODULE.
gomod_version() {
	awk -v m="$1" '$1 == m || ($1 == "require" && $2 == m) { print $NF; exit }' "$2"
}

#!/usr/bin/env bash
# bench-e2e.sh: Causeway against a real Prometheus at cluster scale (issue 9).
#
# For each size in BENCH_SERIES (default 10000; e.g. BENCH_SERIES="10000 30000"):
#   1. generate N container memory series x 1,440 points (6 h at 15 s: a 3 h
#      window after a 3 h baseline) with a planted MySQL restart
#      (scenarios/bulk via hack/gen-bulk), backfill it with promtool (cached
#      under .cache/bench/, keyed by the generator's source);
#   2. start Debian's Prometheus on 127.0.0.1 on that TSDB;
#   3. time, in the same run, BENCH_RUNS times each (default 9: the server's time
#      for one large answer swings 2x from run to run), back to back:
#        - curl of the same query_range, body discarded, no compression (the floor),
#        - causeway report --format json from start to exit, under /usr/bin/time -v;
#      and once the same curl with --compressed (gzip; BENCH_GZIP=0 skips it);
#   4. print medians, the ratio causeway/curl, how many runs causeway won,
#      causeway's peak RSS, and check
#      that the report's top root cause is the planted restart.
# Exits 1 when the root cause is wrong (or, with BENCH_STRICT=1, when causeway
# is slower than curl). Prometheus is killed on exit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
sizes="${BENCH_SERIES:-10000}"
runs="${BENCH_RUNS:-9}"
strict="${BENCH_STRICT:-0}"
cache="$root/.cache/bench"
bin="$root/bin/causeway"
log() { printf 'bench-e2e: %s\n' "$*" >&2; }

for tool in prometheus promtool curl jq /usr/bin/time; do
	command -v "$tool" >/dev/null 2>&1 || { log "missing $tool (run hack/test-deps.sh; apt-get install jq time curl)"; exit 1; }
done
mkdir -p "$cache"
# One run at a time: runs share the cached TSDBs and the machine.
exec 9>"$cache/lock"
flock -n 9 || { log "another bench-e2e is running (lock $cache/lock)"; exit 1; }
[ -x "$bin" ] || go build -trimpath -o "$bin" ./cmd/causeway
go build -o "$cache/gen-bulk" ./hack/gen-bulk

work="$(mktemp -d "${TMPDIR:-/tmp}/causeway-bench.XXXXXX")"
prom_pid=""
cleanup() {
	if [ -n "$prom_pid" ]; then kill "$prom_pid" 2>/dev/null || true; wait "$prom_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The generator's identity: regenerate when its source changes.
gen_hash="$(cat scenarios/bulk/bulk.go hack/gen-bulk/main.go | sha256sum | cut -c1-12)"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# time_curl URL EXTRA... prints "seconds bytes".
time_curl() {
	local url="$1"; shift
	timeout 600 curl -sS -o /dev/null -w '%{time_total} %{size_download}\n' "$@" \
		--data-urlencode "query=$expr" --data-urlencode "start=$start" \
		--data-urlencode "end=$end" --data-urlencode "step=15" "$url/api/v1/query_range"
}

summary=()
fail=0
for n in $sizes; do
	data="$cache/s$n-$gen_hash"
	if [ ! -f "$data/ok" ]; then
		rm -rf "$cache"/s"$n"-*
		mkdir -p "$data"
		log "generating $n series x 1,440 points (OpenMetrics, streamed into promtool's input)"
		"$cache/gen-bulk" -series "$n" -o "$work/data.om" -key "$data/key.json"
		log "backfilling $(du -h "$work/data.om" | cut -f1) with promtool (about 6 s per 1,000 series)"
		timeout 3600 promtool tsdb create-blocks-from openmetrics -q "$work/data.om" "$data/tsdb" >/dev/null
		rm -f "$work/data.om"
		touch "$data/ok"
	fi
	key="$data/key.json"
	"$cache/gen-bulk" -series "$n" -o /dev/null -points 32 -bank "$work/bank.yaml" # the bank only
	start="$(date -u -d "$(jq -r .Start "$key")" +%s)"
	end="$(date -u -d "$(jq -r .End "$key")" +%s)"
	from=$((start + (end - start + 15) / 2))
	restart="$(jq -r .RestartAt "$key")"
	inst="$(jq -r .Instance "$key")"
	# The memory query of the bank, exactly as causeway sends it.
	expr="$(awk '/id: memory_working_set/ {m=1} m && /promql:/ {getline; sub(/^ +/, ""); print; exit}' "$work/bank.yaml")"

	port="$(free_port)"
	url="http://127.0.0.1:$port"
	# min = max block duration 2h: no compaction of the backfilled blocks
	# while we time.
	echo 'global: {scrape_interval: 1h}' >"$work/prom.yml"
	prometheus --config.file="$work/prom.yml" \
		--storage.tsdb.path="$data/tsdb" --storage.tsdb.retention.time=100y \
		--storage.tsdb.min-block-duration=2h --storage.tsdb.max-block-duration=2h \
		--web.listen-address="127.0.0.1:$port" --log.level=warn >"$work/prom.log" 2>&1 &
	prom_pid=$!
	for _ in $(seq 1 600); do
		curl -sf -o /dev/null "$url/-/ready" && break
		kill -0 "$prom_pid" 2>/dev/null || { cat "$work/prom.log" >&2; log "prometheus exited"; exit 1; }
		sleep 0.1
	done
	curl -sf -o /dev/null "$url/-/ready" || { cat "$work/prom.log" >&2; log "prometheus not ready after 60 s"; exit 1; }

	log "series=$n: warming up (one untimed fetch), then $runs timed runs of curl and causeway, back to back"
	read -r _ bytes < <(time_curl "$url")
	"$bin" version >/dev/null # the binary in the page cache
	curl_t=() cw_t=() cw_rss=()
	for r in $(seq 1 "$runs"); do
		# Each path starts from the same state: the other one just finished
		# and the server had a second to settle.
		sleep 1
		read -r t _ < <(time_curl "$url")
		curl_t+=("$t")
		sleep 1
		timeout 900 /usr/bin/time -v -o "$work/time.txt" "$bin" report --prometheus "$url" --no-kube \
			--from "$from" --to "$end" --baseline 3h --step 15s --bank "$work/bank.yaml" \
			--format json -o "$work/report.json" 2>"$work/cw.err" || { cat "$work/cw.err" "$work/time.txt" >&2; log "causeway report failed"; exit 1; }
		el="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')"
		rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")"
		cw_t+=("$el")
		cw_rss+=("$rss")
		log "  run $r: curl ${curl_t[-1]} s, causeway $el s (peak RSS $((rss / 1024)) MB)"
	done
	# gzip is an order of magnitude slower: measured once, for the table.
	g="skipped"
	if [ "${BENCH_GZIP:-1}" = 1 ]; then
		sleep 1
		read -r g _ < <(time_curl "$url" --compressed)
		log "  curl --compressed (gzip, once): $g s"
	fi
	kill "$prom_pid" 2>/dev/null || true
	wait "$prom_pid" 2>/dev/null || true
	prom_pid=""

	c="$(printf '%s\n' "${curl_t[@]}" | median)"
	w="$(printf '%s\n' "${cw_t[@]}" | median)"
	peak="$(printf '%s\n' "${cw_rss[@]}" | sort -g | tail -1)"
	ratio="$(awk -v a="$w" -v b="$c" 'BEGIN {printf "%.2f", a/b}')"
	# The server's own time for one large answer swings 2x from run to run
	# (its garbage collection): how often causeway beat the curl it was
	# paired with says more than one ratio of medians.
	wins=0
	for r in "${!cw_t[@]}"; do
		awk -v a="${cw_t[$r]}" -v b="${curl_t[$r]}" 'BEGIN {exit !(a <= b)}' && wins=$((wins + 1))
	done

	# The planted cause: the restarted MySQL (its exporter or its pod), at the
	# restart time give or take two steps.
	top="$(jq -c '.root_causes[0] // {}' "$work/report.json")"
	got_q="$(jq -r '.query // ""' <<<"$top")"
	got_e="$(jq -r '(.entity.instance // .entity.pod // "")' <<<"$top")"
	got_on="$(jq -r '.onset // ""' <<<"$top")"
	ok="no"
	if [ "$(jq -r '.family // ""' <<<"$top")" = database ] &&
		{ [ "$got_e" = "$inst" ] || [ "$got_e" = "$(jq -r .Pod "$key")" ]; } && [ -n "$got_on" ]; then
		d=$(($(date -u -d "$got_on" +%s) - $(date -u -d "$restart" +%s)))
		[ "${d#-}" -le 60 ] && ok="yes"
	fi
	[ "$ok" = yes ] || fail=1
	if [ "$strict" = 1 ] && awk -v r="$ratio" 'BEGIN {exit !(r > 1)}'; then fail=1; fi
	summary+=("$(printf '%-7s %9s %9.3f %9s %9.3f %6s %6s %8d  %s (%s %s at %s)' \
		"$n" "$((bytes / 1000000))MB" "$c" "$g" "$w" "$ratio" "$wins/$runs" "$((peak / 1024))" "$ok" "$got_q" "$got_e" "$got_on")")
done

echo
echo "medians of $runs runs (gzip: one run); faster: runs where causeway took no longer than the curl before it;"
echo "sizes are series x 1,440 points; times in seconds; RSS in MB"
printf '%-7s %9s %9s %9s %9s %6s %6s %8s  %s\n' series body curl gzip causeway ratio faster peakRSS "right root cause"
printf '%s\n' "${summary[@]}"
exit "$fail"

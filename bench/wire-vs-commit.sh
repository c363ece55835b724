#!/usr/bin/env bash
# The gRPC stack of this checkout against the one of an earlier commit, side by side in one run:
# both serve InteropTest/Echo over TLS at once, beside bare Kestrel (the HTTP/2 ceiling), and h2load
# drives them in alternating order, PAIRS times, because absolute rates drift on a shared machine.
# Prints each round and the median share of the ceiling and server CPU per request of each stack.
#   bench/wire-vs-commit.sh COMMIT [MODE] [PAIRS] [REQUESTS]
#     COMMIT  an earlier commit with bench/WireBench (for example 08c0d49, the hand-written wire layer)
#     MODE    that commit's WireBench mode for its stack (default: wire)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ $# -ge 1 ] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
OLD=$1; MODE=${2:-wire}; PAIRS=${3:-6}; N=${4:-100000}; C=4; M=32
command -v h2load >/dev/null || { echo "h2load missing: apt-get install nghttp2-client (bench/wire.sh installs it)" >&2; exit 2; }
work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; git worktree remove --force "$work/old" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "building this checkout and $OLD (worktree in $work/old)" >&2
git worktree add -q --detach "$work/old" "$OLD"
dotnet build bench/WireBench -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build "$work/old/bench/WireBench" -c Release -nologo -clp:ErrorsOnly >/dev/null
NEW_BIN=bench/WireBench/bin/Release/net10.0/AntiFraud.Exchange.WireBench
OLD_BIN=$work/old/bench/WireBench/bin/Release/net10.0/AntiFraud.Exchange.WireBench
"$NEW_BIN" body "$work/body.bin"

declare -A PID PORT=([bare]=50062 [new]=50061 [old]=50060)
"$NEW_BIN" bare "${PORT[bare]}" >/dev/null & PID[bare]=$!
"$NEW_BIN" grpc "${PORT[new]}" >/dev/null & PID[new]=$!
(cd "$work/old" && exec "$OLD_BIN" "$MODE" "${PORT[old]}") >/dev/null & PID[old]=$!
sleep 4

cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
load() { # name requests -> "rps cpu_us_per_request"
  local cpu0 cpu1 rps
  cpu0=$(cpu_ms "${PID[$1]}")
  h2load -n "$2" -c "$C" -m "$M" -t 1 -d "$work/body.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
    "https://127.0.0.1:${PORT[$1]}/antifraud.testing.v1.InteropTest/Echo" > "$work/out" 2>&1
  cpu1=$(cpu_ms "${PID[$1]}")
  grep -q " 0 failed, 0 errored" "$work/out" || { cat "$work/out" >&2; exit 1; }
  rps=$(awk '/^finished in/ {gsub(",", ""); print $4}' "$work/out")
  awk -v r="$rps" -v a="$cpu0" -v b="$cpu1" -v n="$2" 'BEGIN {printf "%.0f %.1f\n", r, (b - a) * 1000 / n}'
}
for s in bare new old; do load "$s" 20000 >/dev/null; done   # warm-up: JIT, TLS sessions

echo "h2load: $N requests per run, $C connections x $M streams, 1 client thread; $(nproc) cores; $(date -u +%F)"
echo "this checkout: $(git rev-parse --short HEAD) (grpc); earlier: $(git -C "$work/old" rev-parse --short HEAD) ($MODE)"
echo
echo "| round | order | bare req/s | this req/s | earlier req/s | this % of bare | earlier % of bare | this CPU µs/req | earlier CPU µs/req |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|"
for i in $(seq 1 "$PAIRS"); do
  if (( i % 2 )); then order="old new"; else order="new old"; fi
  read -r bare_rps _ < <(load bare "$N")
  for s in $order; do read -r "rps_$s" "cpu_$s" < <(load "$s" "$N"); done
  awk -v i="$i" -v o="$order" -v b="$bare_rps" -v n="$rps_new" -v d="$rps_old" -v cn="$cpu_new" -v co="$cpu_old" \
    'BEGIN {printf "| %d | %s | %d | %d | %d | %.0f%% | %.0f%% | %s | %s |\n", i, o, b, n, d, 100*n/b, 100*d/b, cn, co}'
done | tee "$work/rounds"
echo
awk -F'|' '{gsub(/[ %]/, "", $7); gsub(/[ %]/, "", $8); gsub(/ /, "", $9); gsub(/ /, "", $10); print $7, $8, $9, $10}' "$work/rounds" | python3 -c "
import sys, statistics as st
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
col = lambda k: st.median(r[k] for r in rows)
print('median share of the ceiling: this %.0f%%, earlier %.0f%% (this / earlier = %.2f)' % (col(0), col(1), col(0) / col(1)))
print('median server CPU per request: this %.1f us, earlier %.1f us' % (col(2), col(3)))"

#!/usr/bin/env bash
# A bulk order end to end, the way the partners run it: a police unit sends N numbers from a CSV file (afx bulk send), the carrier
# fetches the order (afx bulk fetch) and answers every item from a CSV file (afx bulk answer), the police read every result back
# (afx bulk results). Times each step; the hub's CPU from /proc/<pid>/stat and its peak resident memory (VmHWM) over the run.
#   bench/bulk.sh [ITEMS]      (default 100000; the hub on its durable embedded store)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_ENVIRONMENT=Development   # the hub runs on the development PKI (certs-dev/)
N=${1:-100000}
dotnet build src/Hub -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build src/Clients -c Release -nologo -clp:ErrorsOnly >/dev/null
HUB=src/Hub/bin/Release/net10.0/afx-hub.dll
AFX=src/Clients/bin/Release/net10.0/afx.dll
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
rss_mib() { awk '/^'"$2"':/ {print int($2 / 1024)}' "/proc/$1/status"; }
now_ms() { date +%s%3N; }
afx() { dotnet "$AFX" --hub https://127.0.0.1:7451 "$@"; }

dotnet "$HUB" --Hub:Listen=127.0.0.1:7451 --Hub:Store:Path="$work/hub.db" \
  --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information > "$work/hub.log" 2>&1 &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q "Application started" "$work/hub.log" 2>/dev/null && break; sleep 0.2; done
idle=$(rss_mib "$HUB_PID" VmHWM)

seq 1 "$N" | awk '{printf "+86173%08d\n", $1}' > "$work/numbers.csv"
cpu0=$(cpu_ms "$HUB_PID"); t0=$(now_ms)
order=$(afx bulk send --as police-shenzhen --to carrier-east --kind suspend-numbers --file "$work/numbers.csv" --case SZ-CUT-BENCH \
  --officer "Wang Jianguo" --json 2>/dev/null | python3 -c "import json,sys; print(json.load(sys.stdin)['orderId'])")
cpu1=$(cpu_ms "$HUB_PID"); t1=$(now_ms)
afx bulk fetch "$order" --as carrier-east --out "$work/order.csv" 2>/dev/null
cpu2=$(cpu_ms "$HUB_PID"); t2=$(now_ms)
awk -F, 'NR > 1 {o = ($2 % 10 == 3) ? "not_our_customer" : "done"; print $1 "," $2 "," o ",,"}' "$work/order.csv" > "$work/results.csv"
t2b=$(now_ms)
afx bulk answer --as carrier-east --file "$work/results.csv" >/dev/null 2>&1
cpu3=$(cpu_ms "$HUB_PID"); t3=$(now_ms)
afx bulk results "$order" --as police-shenzhen --out "$work/report.csv" 2>/dev/null
cpu4=$(cpu_ms "$HUB_PID"); t4=$(now_ms)
peak=$(rss_mib "$HUB_PID" VmHWM)
rows=$(($(wc -l < "$work/report.csv") - 1))
answered=$(grep -c -E ',(done|not_our_customer),' "$work/report.csv" || true)
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true

echo "bulk order of $N numbers, $(nproc) cores, $(date -u +%F); $rows rows read back, $answered answered"
echo
echo "| step | wall s | items/s | hub CPU s | hub CPU µs per item |"
echo "|---|---:|---:|---:|---:|"
row() { python3 -c "print('| $1 | %.1f | %.0f | %.2f | %.1f |' % ($2/1000, $N*1000/max($2,1), $3/1000, $3*1000/$N))"; }
row "send (afx bulk send, 1,000-item chunks)" $((t1 - t0)) "$(python3 -c "print($cpu1 - $cpu0)")"
row "fetch (afx bulk fetch)" $((t2 - t1)) "$(python3 -c "print($cpu2 - $cpu1)")"
row "answer (afx bulk answer)" $((t3 - t2b)) "$(python3 -c "print($cpu3 - $cpu2)")"
row "read results (afx bulk results)" $((t4 - t3)) "$(python3 -c "print($cpu4 - $cpu3)")"
row "end to end" $((t4 - t0 - (t2b - t2))) "$(python3 -c "print($cpu4 - $cpu0)")"
echo
echo "hub peak resident memory (VmHWM): $idle MiB idle after start, $peak MiB over the run"

#!/usr/bin/env bash
# Early warnings per second over mTLS, side by side with full exchanges, in one run on this machine (the hub on its
# durable embedded store):
#   alerts max   - carriers and banks raise as fast as the hub takes them (half the people get a second, fusing signal);
#                  every police unit takes its instructions on its inbox stream and claims them
#   alerts half  - the same at half the measured rate: raise -> on the unit's stream p50 and p99
#   exchanges    - full exchanges (bench/exchange.sh) on the same hub, for the ratio
# Hub CPU per raise from /proc/<pid>/stat over the max run. The hub is warmed up first (WARM seconds, default 20).
#   bench/alerts.sh [SECONDS] [CONCURRENCY]      (environment: WARM=SECONDS)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_ENVIRONMENT=Development   # the hub runs on the development PKI (certs-dev/)
S=${1:-15}; C=${2:-64}; WARM=${WARM:-20}
dotnet build src/Hub -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build src/Clients -c Release -nologo -clp:ErrorsOnly >/dev/null
HUB=src/Hub/bin/Release/net10.0/afx-hub.dll
source bench/exchange.sh    # exchange URL SECONDS CONCURRENCY [RATE]: full exchanges through afx bench
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
alerts() { # SECONDS CONCURRENCY [RATE]
  dotnet "$AFX" bench alerts --hub https://127.0.0.1:7450 --duration "$(date -u -d "@$1" +%H:%M:%S)" --concurrency "$2" --rate "${3:-0}" --json 2>/dev/null
}

dotnet "$HUB" --Hub:Listen=127.0.0.1:7450 --Hub:Store:Path="$work/hub.db" \
  --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information > "$work/hub.log" 2>&1 &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q "Application started" "$work/hub.log" 2>/dev/null && break; sleep 0.2; done

alerts "$WARM" "$C" >/dev/null                          # warm-up
exchange https://127.0.0.1:7450 10 "$C" >/dev/null
cpu0=$(cpu_ms "$HUB_PID")
max=$(alerts "$S" "$C")
cpu1=$(cpu_ms "$HUB_PID")
rate=$(echo "$max" | python3 -c "import json,sys; print(json.load(sys.stdin)['raised_per_s'])")
half=$(alerts "$S" "$C" $((rate / 2)))
at500=$(alerts "$S" "$C" 500)
full=$(exchange https://127.0.0.1:7450 "$S" "$C")
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true

echo "$S s per run after $WARM s of warm-up, $C concurrent raisers, $(nproc) cores, $(date -u +%F)"
echo "$max" | python3 -c "
import json,sys; d=json.load(sys.stdin); n=max(d['raised'],1)
print('max run: %d signals raised (%d fused); hub CPU %.0f us per raise; load generator CPU %.0f us per raise' % (n, d['fused'], ($cpu1-$cpu0)*1000/n, d['client_cpu_ms']*1000/n))"
echo
echo "| run | ops/s | RPC p50 ms | RPC p99 ms | raise -> unit's stream p50 ms | p99 ms |"
echo "|---|---:|---:|---:|---:|---:|"
for r in "alerts, max:$max" "alerts, half of max:$half" "alerts at 500/s target:$at500"; do
  name=${r%%:\{*}; json=${r#*:}
  echo "$json" | python3 -c "import json,sys; d=json.load(sys.stdin); print('| $name | %s | %s | %s | %s | %s |' % (d['raised_per_s'], d['raise_p50_ms'], d['raise_p99_ms'], d['on_stream_p50_ms'], d['on_stream_p99_ms']))"
done
echo "$full" | python3 -c "import json,sys; d=json.load(sys.stdin); print('| full exchanges, same hub | %s | %s | %s | %s (answered seen) | %s |' % (d['ops_per_s'], d['p50_ms'], d['p99_ms'], d['full_p50_ms'], d['full_p99_ms']))"

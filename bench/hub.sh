#!/usr/bin/env bash
# Full exchanges per second over mTLS, in one run on this machine:
#   sqlite   - the hub on its durable embedded store (group commit, fsync)
#   memory   - the same hub with the store in memory (the cost of durability)
#   half     - sqlite again at half the measured rate, for submit latency under normal load
#   echo     - a bare unary echo over the same gRPC stack and client (the ceiling of the stack)
# A full exchange: police Submit -> bank inbox delivery -> Ack -> Respond -> police Watch sees ANSWERED.
# Each hub is warmed up under load first (WARM seconds, default 20): for its first seconds the tiered JIT
# is still recompiling hot methods, which would be counted as CPU per exchange.
#   bench/hub.sh [SECONDS] [CONCURRENCY]      (environment: WARM=SECONDS)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_ENVIRONMENT=Development   # the hub runs on the development PKI (certs-dev/)
S=${1:-20}; C=${2:-64}; WARM=${WARM:-20}
dotnet build src/Hub -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build src/Clients -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/HubBench bench/WireBench -c Release -nologo -clp:ErrorsOnly >/dev/null 2>&1 || { dotnet build bench/HubBench -c Release -nologo -clp:ErrorsOnly >/dev/null; dotnet build bench/WireBench -c Release -nologo -clp:ErrorsOnly >/dev/null; }
HUB=src/Hub/bin/Release/net10.0/afx-hub.dll
BENCH=bench/HubBench/bin/Release/net10.0/AntiFraud.Exchange.HubBench
source bench/exchange.sh    # exchange URL SECONDS CONCURRENCY [RATE]: full exchanges through afx bench
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

start_hub() { # provider
  dotnet "$HUB" --Hub:Listen=127.0.0.1:7450 --Hub:Store:Provider="$1" --Hub:Store:Path="$work/$1-$RANDOM.db" \
    --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information > "$work/hub.log" 2>&1 &
  HUB_PID=$!
  for _ in $(seq 1 100); do grep -q "Application started" "$work/hub.log" 2>/dev/null && return; sleep 0.2; done
  cat "$work/hub.log"; exit 1
}
stop_hub() { kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null || true; }

start_hub sqlite
exchange https://127.0.0.1:7450 "$WARM" "$C" >/dev/null     # warm-up
hub_cpu0=$(cpu_ms "$HUB_PID")
sqlite=$(exchange https://127.0.0.1:7450 "$S" "$C")
hub_cpu1=$(cpu_ms "$HUB_PID")
rate=$(echo "$sqlite" | sed -E 's/.*"ops_per_s":([0-9]+).*/\1/')
half=$(exchange https://127.0.0.1:7450 "$S" "$C" $((rate / 2)))
stop_hub

start_hub memory
exchange https://127.0.0.1:7450 "$WARM" "$C" >/dev/null
memory=$(exchange https://127.0.0.1:7450 "$S" "$C")
stop_hub

bench/WireBench/bin/Release/net10.0/AntiFraud.Exchange.WireBench grpc 7451 >/dev/null &
sleep 3
"$BENCH" echo https://127.0.0.1:7451 "$WARM" "$C" >/dev/null
echo=$("$BENCH" echo https://127.0.0.1:7451 "$S" "$C")

echo "$S s per run after $WARM s of warm-up, $C concurrent submitters, $(nproc) cores, $(date -u +%F)"
echo "$sqlite" | python3 -c "
import json,sys; d=json.load(sys.stdin); n=max(d['completed'],1)
print('sqlite run: %d full exchanges; hub CPU %.0f us per exchange; load generator CPU %.0f us per exchange' % (n, ($hub_cpu1-$hub_cpu0)*1000/n, d['client_cpu_ms']*1000/n))"
echo
echo "| run | ops/s | submit p50 ms | submit p99 ms | submit→answered seen p50 ms | p99 ms |"
echo "|---|---:|---:|---:|---:|---:|"
for r in "sqlite:$sqlite" "memory:$memory" "sqlite at half rate:$half" "bare echo:$echo"; do
  name=${r%%:\{*}; json=${r#*:}
  echo "$json" | python3 -c "import json,sys; d=json.load(sys.stdin); print('| $name | %s | %s | %s | %s | %s |' % (d['ops_per_s'], d['p50_ms'], d['p99_ms'], d.get('full_p50_ms','-'), d.get('full_p99_ms','-')))"
done

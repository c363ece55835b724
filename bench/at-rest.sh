#!/usr/bin/env bash
# The cost of encryption at rest, side by side in one run: full exchanges per second and hub CPU per exchange with every stored
# value sealed (the default) and with Hub:Store:EncryptAtRest=false (Development only), on the durable SQLite store, in
# alternating pairs (PAIRS, default 3) so that drift on the shared machine falls on both.
#   bench/at-rest.sh [SECONDS] [CONCURRENCY]      (environment: WARM=SECONDS, PAIRS=N)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_ENVIRONMENT=Development   # the hub runs on the development PKI (certs-dev/); EncryptAtRest=false needs it too
S=${1:-15}; C=${2:-64}; WARM=${WARM:-15}; PAIRS=${PAIRS:-3}
dotnet build src/Hub -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build src/Clients -c Release -nologo -clp:ErrorsOnly >/dev/null
HUB=src/Hub/bin/Release/net10.0/afx-hub.dll
source bench/exchange.sh    # exchange URL SECONDS CONCURRENCY [RATE]: full exchanges through afx bench
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

run() { # true|false -> "ops_per_s cpu_us_per_exchange"
  dotnet "$HUB" --Hub:Listen=127.0.0.1:7452 --Hub:Store:Path="$work/$1-$RANDOM.db" --Hub:Store:EncryptAtRest="$1" \
    --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information > "$work/hub.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do grep -q "Application started" "$work/hub.log" 2>/dev/null && break; sleep 0.2; done
  exchange https://127.0.0.1:7452 "$WARM" "$C" >/dev/null
  local c0; c0=$(cpu_ms "$pid")
  local out; out=$(exchange https://127.0.0.1:7452 "$S" "$C")
  local c1; c1=$(cpu_ms "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['ops_per_s'], round(($c1-$c0)*1000/max(d['completed'],1)))"
}

echo "full exchanges, $S s per run after $WARM s of warm-up, $C concurrent, $(nproc) cores, $(date -u +%F), $PAIRS alternating pairs"
echo
echo "| pair | sealed: exchanges/s | sealed: hub µs CPU per exchange | in clear: exchanges/s | in clear: hub µs CPU per exchange | rate ratio |"
echo "|---|---:|---:|---:|---:|---:|"
for p in $(seq 1 "$PAIRS"); do
  read -r on_rate on_cpu < <(run true)
  read -r off_rate off_cpu < <(run false)
  python3 -c "print('| $p | $on_rate | $on_cpu | $off_rate | $off_cpu | %.2f |' % ($on_rate / max($off_rate, 1)))"
done

#!/usr/bin/env bash
# Full exchanges per second over mTLS, in one run on this machine, for the three store set-ups:
#   sqlite     - one hub on its embedded store (the default)
#   redis x1   - one hub replica on a private redis-server (appendonly yes, appendfsync always)
#   redis x2   - two replicas on that Redis; police spread over both, bank-alpha on B, bank-beta on A
# A full exchange: police Submit -> bank inbox delivery -> Ack -> Respond -> police Watch (on replica A) sees ANSWERED.
#   bench/replicas.sh [SECONDS] [CONCURRENCY]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_ENVIRONMENT=Development   # the hub runs on the development PKI (certs-dev/)
S=${1:-20}; C=${2:-64}
command -v redis-server >/dev/null || { echo "redis-server is missing: sudo apt-get install redis-server" >&2; exit 1; }
dotnet build src/Hub -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build src/Clients -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/HubBench -c Release -nologo -clp:ErrorsOnly >/dev/null
HUB=src/Hub/bin/Release/net10.0/afx-hub.dll
BENCH=bench/HubBench/bin/Release/net10.0/AntiFraud.Exchange.HubBench
source bench/exchange.sh    # exchange URL SECONDS CONCURRENCY [RATE]: full exchanges through afx bench
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
PIDS=()

start_redis() {
  mkdir -p "$work/redis"
  redis-server --port 7460 --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync always --save "" > "$work/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 50); do redis-cli -p 7460 ping 2>/dev/null | grep -q PONG && return; sleep 0.1; done
  cat "$work/redis.log"; exit 1
}

start_hub() { # port name settings...
  local port=$1 name=$2; shift 2
  dotnet "$HUB" --Hub:Listen=127.0.0.1:"$port" --Hub:Store:Path="$work/$name/hub.db" "$@" \
    --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information > "$work/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do grep -q "Application started" "$work/$name.log" 2>/dev/null && return; sleep 0.2; done
  cat "$work/$name.log"; exit 1
}
stop_hubs() { kill "${PIDS[@]}"; wait "${PIDS[@]}" 2>/dev/null || true; PIDS=(); }
run() { exchange "$1" 5 "$C" >/dev/null; exchange "$1" "$S" "$C"; }
REDIS=(--Hub:Store:Provider=redis --Hub:Store:Redis:Configuration=127.0.0.1:7460)

start_hub 7450 sqlite
sqlite=$(run https://127.0.0.1:7450)
stop_hubs

start_redis
start_hub 7450 a "${REDIS[@]}" --Hub:ReplicaId=a
one=$(run https://127.0.0.1:7450)
stop_hubs
redis-cli -p 7460 flushall >/dev/null
start_hub 7450 a2 "${REDIS[@]}" --Hub:ReplicaId=a
start_hub 7452 b2 "${REDIS[@]}" --Hub:ReplicaId=b
two=$(run https://127.0.0.1:7450,https://127.0.0.1:7452)
stop_hubs

echo "$S s per run, $C concurrent submitters, $(nproc) cores, $(date -u +%F), redis $(redis-server --version | sed -E 's/.*v=([0-9.]+).*/\1/') appendfsync always"
echo
echo "| run | ops/s | submit p50 ms | submit p99 ms | submit→answered seen p50 ms | p99 ms |"
echo "|---|---:|---:|---:|---:|---:|"
for r in "sqlite, one hub:$sqlite" "redis, one replica:$one" "redis, two replicas:$two"; do
  name=${r%%:\{*}; json=${r#*:}
  echo "$json" | python3 -c "import json,sys; d=json.load(sys.stdin); print('| $name | %s | %s | %s | %s | %s |' % (d['ops_per_s'], d['p50_ms'], d['p99_ms'], d.get('full_p50_ms','-'), d.get('full_p99_ms','-')))"
done

#!/usr/bin/env bash
# Full exchanges per second over mTLS, in one run on this machine, for the three store set-ups:
#   sqlite     - one hub on its embedded store (the default)
#   redis x1   - one hub replica on a private redis-server (appendonly yes, appendfsync always)
#   redis x2   - two replicas on that Redis; police spread over both, bank-alpha on B, bank-beta on A
# A full exchange: police Submit -> bank inbox delivery -> Ack -> Respond -> police Watch (on replica A) sees ANSWERED.
# Over the measured one-replica run it also reads what each exchange costs: hub and redis-server CPU (/proc/<pid>/stat),
# the commands Redis executed (INFO stats: those the hub sent and those its Lua scripts ran) and the bytes both ways,
# and the commands by name (INFO commandstats); from those it projects N replicas against one Redis primary.
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
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
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
redis_stat() { redis-cli -p 7460 info stats | tr -d '\r' | awk -F: -v k="$1" '$1 == k {print $2}'; }
REDIS=(--Hub:Store:Provider=redis --Hub:Store:Redis:Configuration=127.0.0.1:7460)

start_hub 7450 sqlite
sqlite=$(run https://127.0.0.1:7450)
stop_hubs

start_redis
start_hub 7450 a "${REDIS[@]}" --Hub:ReplicaId=a
exchange https://127.0.0.1:7450 5 "$C" >/dev/null
redis-cli -p 7460 config resetstat >/dev/null
hub0=$(cpu_ms "${PIDS[0]}"); redis0=$(cpu_ms "$REDIS_PID")
one=$(exchange https://127.0.0.1:7450 "$S" "$C")
hub1=$(cpu_ms "${PIDS[0]}"); redis1=$(cpu_ms "$REDIS_PID")
commands=$(redis_stat total_commands_processed); bytes_in=$(redis_stat total_net_input_bytes); bytes_out=$(redis_stat total_net_output_bytes)
redis-cli -p 7460 info commandstats | tr -d '\r' > "$work/commandstats"
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

echo
n=$(echo "$one" | sed -E 's/.*"completed":([0-9]+).*/\1/')
python3 - "$n" "$hub0" "$hub1" "$redis0" "$redis1" "$commands" "$bytes_in" "$bytes_out" "$work/commandstats" <<'PY'
import re, sys
n, hub0, hub1, r0, r1, commands, bin_, bout = (float(x) for x in sys.argv[1:9])
n = max(n, 1)
hub, redis = (hub1 - hub0) * 1000 / n, (r1 - r0) * 1000 / n
print(f"One replica, per full exchange ({n:.0f} exchanges): hub CPU {hub:.0f} µs, redis-server CPU {redis:.0f} µs, "
      f"{commands / n:.1f} commands executed by Redis (those the hub sent and those inside its scripts), {bin_ / n:.0f} bytes to Redis and {bout / n:.0f} back")
print()
print("| Redis command | calls per exchange | µs per call | Redis µs per exchange |")
print("|---|---:|---:|---:|")
rows = []
for line in open(sys.argv[9]):
    m = re.match(r"cmdstat_([^:]+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)", line)
    if m and int(m.group(2)) > 0:
        rows.append((m.group(1), int(m.group(2)) / n, float(m.group(4)), int(m.group(3)) / n))
for name, calls, per, total in sorted(rows, key=lambda r: -r[3]):
    print(f"| {name} | {calls:.2f} | {per:.1f} | {total:.1f} |")
# Projection: N replicas, each on C cores of its own, against one Redis primary (one core executes commands) on a 10 Gbit/s link.
cores = 2
link = 10e9 / 8
print()
print(f"Projection (replicas of {cores} cores each; one Redis primary core; 10 Gbit/s): capacity = min(N × {cores} × 10^6 / {hub:.0f}, "
      f"10^6 / {redis:.0f}, {link:.3g} / {(bin_ + bout) / n:.0f})")
print()
print("| replicas | hub-bound exchanges/s | Redis-bound | network-bound | capacity | first bottleneck |")
print("|---:|---:|---:|---:|---:|---|")
for replicas in (1, 2, 4, 8, 16):
    limits = {"replica CPU": replicas * cores * 1e6 / hub, "Redis primary CPU": 1e6 / redis, "network": link / ((bin_ + bout) / n)}
    first = min(limits, key=limits.get)
    print(f"| {replicas} | {limits['replica CPU']:,.0f} | {limits['Redis primary CPU']:,.0f} | {limits['network']:,.0f} | {limits[first]:,.0f} | {first} |")
PY

#!/usr/bin/env bash
# The floor under issue 19's CPU aim: what the hub's stack costs per call before the hub does any work, measured in one
# run beside a full exchange. Server CPU per operation from /proc/<pid>/stat (utime + stime) over each measured window:
#   echo      - WireBench's grpc-dotnet echo (TLS, no client certificate, no middleware): the bare stack per unary call
#   health    - grpc.health.v1 Check on the hub (mTLS, certificate authentication, authorization, the hub's interceptors;
#               answered from a cached result): the hub's pipeline per unary call with no work behind it
#   exchange  - full exchanges on the same hub (SQLite): three unary calls (Submit, Ack, Respond) and two streamed
#               messages (the bank's delivery, the police Watch event)
#   bench/floor.sh [SECONDS] [CONCURRENCY]      (environment: WARM=SECONDS, default 20)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_ENVIRONMENT=Development
S=${1:-15}; C=${2:-64}; WARM=${WARM:-20}
dotnet build src/Hub -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build src/Clients -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/HubBench -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/WireBench -c Release -nologo -clp:ErrorsOnly >/dev/null
HUB=src/Hub/bin/Release/net10.0/afx-hub.dll
BENCH=bench/HubBench/bin/Release/net10.0/AntiFraud.Exchange.HubBench
source bench/exchange.sh
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
count() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d.get('completed') or d.get('count'))"; }
per_op() { python3 -c "print('%.0f' % (($2 - $1) * 1000 / max($3, 1)))"; }

bench/WireBench/bin/Release/net10.0/AntiFraud.Exchange.WireBench grpc 7451 >/dev/null &
ECHO_PID=$!
sleep 3
"$BENCH" echo https://127.0.0.1:7451 "$WARM" "$C" >/dev/null
e0=$(cpu_ms $ECHO_PID); echo_json=$("$BENCH" echo https://127.0.0.1:7451 "$S" "$C"); e1=$(cpu_ms $ECHO_PID)
kill $ECHO_PID; wait $ECHO_PID 2>/dev/null || true

dotnet "$HUB" --Hub:Listen=127.0.0.1:7450 --Hub:Store:Provider=sqlite --Hub:Store:Path="$work/floor.db" \
  --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information > "$work/hub.log" 2>&1 &
HUB_PID=$!
for _ in $(seq 1 100); do grep -q "Application started" "$work/hub.log" 2>/dev/null && break; sleep 0.2; done
exchange https://127.0.0.1:7450 "$WARM" "$C" >/dev/null
"$BENCH" health https://127.0.0.1:7450 "$WARM" "$C" >/dev/null
h0=$(cpu_ms $HUB_PID); health_json=$("$BENCH" health https://127.0.0.1:7450 "$S" "$C"); h1=$(cpu_ms $HUB_PID)
x0=$(cpu_ms $HUB_PID); exchange_json=$(exchange https://127.0.0.1:7450 "$S" "$C"); x1=$(cpu_ms $HUB_PID)
kill $HUB_PID; wait $HUB_PID 2>/dev/null || true

echo_n=$(echo "$echo_json" | count); health_n=$(echo "$health_json" | count); exchange_n=$(echo "$exchange_json" | count)
echo_us=$(per_op "$e0" "$e1" "$echo_n"); health_us=$(per_op "$h0" "$h1" "$health_n"); exchange_us=$(per_op "$x0" "$x1" "$exchange_n")
echo "$S s per run after $WARM s of warm-up, $C concurrent, $(nproc) cores, $(date -u +%F)"
echo
echo "| operation | ops/s | server CPU µs per op |"
echo "|---|---:|---:|"
echo "| bare grpc-dotnet echo (TLS) | $(echo "$echo_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops_per_s"])') | $echo_us |"
echo "| hub Health/Check (mTLS, full pipeline) | $(echo "$health_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops_per_s"])') | $health_us |"
echo "| hub full exchange (SQLite) | $(echo "$exchange_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops_per_s"])') | $exchange_us |"
echo
echo "floor of a full exchange from its three unary calls alone: 3 x $health_us = $((3 * health_us)) µs of hub CPU (streamed messages, storage, audit not counted)"

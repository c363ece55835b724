#!/usr/bin/env bash
# The wire-layer benchmark: one unary echo-sized gRPC call over TLS, driven by h2load with a prebuilt
# gRPC body, against three servers in one run:
#   grpc   - grpc-dotnet (Grpc.AspNetCore 2.85, the hub's stack) serving InteropTest/Echo
#   bare  - bare Kestrel HTTP/2 answering the same bytes (the ceiling)
#   grpcjs - @grpc/grpc-js serving the same service (the independent peer)
# Prints a markdown table: requests/s, ratio to the ceiling, the server's CPU time per request (from
# /proc/<pid>/stat over the measured run: steadier than a rate on a shared machine), p50 and p99 latency.
#   bench/wire.sh [REQUESTS] [CONNECTIONS] [STREAMS_PER_CONNECTION]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
N=${1:-200000}; C=${2:-4}; M=${3:-32}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
command -v h2load >/dev/null || { echo "installing h2load (apt-get install nghttp2-client)" >&2; as_root apt-get install -y -qq nghttp2-client >/dev/null; }
[ -d tests/interop/node_modules/@grpc/grpc-js ] || npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error

dotnet build bench/WireBench -c Release -nologo -clp:ErrorsOnly >/dev/null
BIN=bench/WireBench/bin/Release/net10.0/AntiFraud.Exchange.WireBench
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
"$BIN" body "$work/body.bin"

declare -A PID
"$BIN" grpc 50051 >/dev/null & PID[grpc]=$!
"$BIN" bare 50052 >/dev/null & PID[bare]=$!
node tests/interop/server.js --ca certs-dev/ca/root.crt --cert certs-dev/hub/hub-chain.crt --key certs-dev/hub/hub.key --no-client-cert true --port 50053 >/dev/null & PID[grpcjs]=$!
sleep 4

# CPU time (ms) a process used so far: utime + stime from /proc/<pid>/stat, in clock ticks.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }

run() { # name port
  local path=/antifraud.testing.v1.InteropTest/Echo
  # warm-up: JIT, TLS session, connection pools
  h2load -n 20000 -c "$C" -m "$M" -t 1 -d "$work/body.bin" -H 'content-type: application/grpc' -H 'te: trailers' "https://127.0.0.1:$2$path" >/dev/null 2>&1
  local cpu0 cpu1 rps ok
  cpu0=$(cpu_ms "${PID[$1]}")
  h2load -n "$N" -c "$C" -m "$M" -t 1 -d "$work/body.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
    --log-file="$work/$1.log" "https://127.0.0.1:$2$path" > "$work/$1.out" 2>&1
  cpu1=$(cpu_ms "${PID[$1]}")
  rps=$(awk '/^finished in/ {gsub(",", ""); print $4}' "$work/$1.out")
  ok=$(awk '/^status codes:/ {gsub(",", ""); print $3}' "$work/$1.out")
  read -r p50 p99 < <(awk '{print $3}' "$work/$1.log" | sort -n | awk '{a[NR]=$1} END {printf "%.2f %.2f\n", a[int(NR*0.50)]/1000, a[int(NR*0.99)]/1000}')
  echo "$1 $rps $ok $p50 $p99 $(awk -v a="$cpu0" -v b="$cpu1" -v n="$N" 'BEGIN {printf "%.1f", (b - a) * 1000 / n}')"
}

results=$(for s in "bare 50052" "grpc 50051" "grpcjs 50053"; do run $s; done)
ceiling=$(echo "$results" | awk '$1=="bare"{print $2}')
echo "h2load: $N requests, $C connections x $M streams, 1 client thread; $(nproc) cores; $(date -u +%F)"
echo
echo "| server | requests/s | vs bare Kestrel | server CPU µs/request | 2xx | p50 ms | p99 ms |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "$results" | awk -v c="$ceiling" '{printf "| %s | %.0f | %.0f%% | %s | %s | %s | %s |\n", $1, $2, 100*$2/c, $6, $3, $4, $5}'

#!/usr/bin/env bash
# Where the hub's CPU goes under full-exchange load: a CPU-sampling profile of the hub process (kernel and user stacks,
# perf_events through dotnet-trace collect-linux; needs root), taken after a warm-up, reported as the top methods by inclusive
# share of all samples.
#   bench/profile.sh [SECONDS] [CONCURRENCY] [TOP]      (installs dotnet-trace as a global tool when missing)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_ENVIRONMENT=Development   # the hub runs on the development PKI (certs-dev/)
S=${1:-12}; C=${2:-64}; TOP=${3:-80}; WARM=${WARM:-20}
TRACE="${DOTNET_TRACE:-$HOME/.dotnet/tools/dotnet-trace}"
[ -x "$TRACE" ] || dotnet tool install -g dotnet-trace --version 10.0.750501 >/dev/null
dotnet build src/Hub -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build src/Clients -c Release -nologo -clp:ErrorsOnly >/dev/null
source bench/exchange.sh
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet src/Hub/bin/Release/net10.0/afx-hub.dll --Hub:Listen=127.0.0.1:7453 --Hub:Store:Path="$work/hub.db" \
  --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information > "$work/hub.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q "Application started" "$work/hub.log" 2>/dev/null && break; sleep 0.2; done
exchange https://127.0.0.1:7453 "$WARM" "$C" >/dev/null
exchange https://127.0.0.1:7453 $((S + 4)) "$C" > "$work/run.json" &
load=$!
sleep 2
"$TRACE" collect-linux -p "$pid" --profile cpu-sampling --duration "$(date -u -d "@$S" +%H:%M:%S)" -o "$work/hub.nettrace" >/dev/null
wait "$load"
echo "full exchanges during the profile: $(cat "$work/run.json")"
"$TRACE" report "$work/hub.nettrace" topN -n "$TOP" --inclusive

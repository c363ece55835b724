# Sourced by bench/hub.sh and bench/replicas.sh (from the repository root).
AFX=src/Clients/bin/Release/net10.0/afx.dll
# CPU time (ms) a process used so far: utime + stime from /proc/<pid>/stat, in clock ticks.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
# Full exchanges come from the one load generator, afx bench (freezes only, its simulated banks answer at once),
# reported in the shape the tables below read.
exchange() { # URL[,URL] SECONDS CONCURRENCY [RATE]
  dotnet "$AFX" bench --hub "$1" --duration "$(date -u -d "@$2" +%H:%M:%S)" --concurrency "$3" --rate "${4:-0}" --mix freeze=100 \
    --no-audit-check --json 2>/dev/null | python3 -c "
import json,sys; d=json.load(sys.stdin); r=d['runs'][-1]
print(json.dumps({'ops_per_s': round(r['answered_per_s']), 'p50_ms': r['submit_p50_ms'], 'p99_ms': r['submit_p99_ms'],
  'full_p50_ms': r['answered_p50_ms'], 'full_p99_ms': r['answered_p99_ms'], 'completed': r['answered'], 'client_cpu_ms': d['client_cpu_ms']}, separators=(',', ':')))"
}

# One measured hub: starts HUB (a built afx-hub.dll) on the store PROVIDER in a fresh WORK/run, warms it up for WARM seconds, measures
# SECONDS of full exchanges at CONCURRENCY, stops it; extra arguments are environment settings for the hub (NAME=VALUE).
# Prints one line: exchanges/s|hub CPU µs per exchange|load generator CPU µs per exchange|submit p99 ms
measured_hub() { # HUB PROVIDER WORK WARM SECONDS CONCURRENCY [NAME=VALUE...]
  local hub=$1 provider=$2 work=$3 warm=$4 seconds=$5 concurrency=$6; shift 6
  mkdir -p "$work/run"
  env "$@" dotnet "$hub" --Hub:Listen=127.0.0.1:7450 --Hub:Store:Provider="$provider" --Hub:Store:Path="$work/run/hub.db" \
    --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information > "$work/hub.log" 2>&1 &
  local pid=$! c0 c1 r
  for _ in $(seq 1 100); do grep -q "Application started" "$work/hub.log" 2>/dev/null && break; sleep 0.2; done
  exchange https://127.0.0.1:7450 "$warm" "$concurrency" >/dev/null
  c0=$(cpu_ms "$pid")
  r=$(exchange https://127.0.0.1:7450 "$seconds" "$concurrency")
  c1=$(cpu_ms "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$work/run"
  echo "$r" | python3 -c "import json,sys; d=json.load(sys.stdin); n=max(d['completed'],1); print('%s|%.0f|%.0f|%s' % (d['ops_per_s'], ($c1-$c0)*1000/n, d['client_cpu_ms']*1000/n, d['p99_ms']))"
}

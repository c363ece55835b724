# Sourced by bench/hub.sh and bench/replicas.sh (from the repository root).
AFX=src/Clients/bin/Release/net10.0/afx.dll
# Full exchanges come from the one load generator, afx bench (freezes only, its simulated banks answer at once),
# reported in the shape the tables below read.
exchange() { # URL[,URL] SECONDS CONCURRENCY [RATE]
  dotnet "$AFX" bench --hub "$1" --duration "$(date -u -d "@$2" +%H:%M:%S)" --concurrency "$3" --rate "${4:-0}" --mix freeze=100 \
    --no-audit-check --json 2>/dev/null | python3 -c "
import json,sys; d=json.load(sys.stdin); r=d['runs'][-1]
print(json.dumps({'ops_per_s': round(r['answered_per_s']), 'p50_ms': r['submit_p50_ms'], 'p99_ms': r['submit_p99_ms'],
  'full_p50_ms': r['answered_p50_ms'], 'full_p99_ms': r['answered_p99_ms'], 'completed': r['answered'], 'client_cpu_ms': d['client_cpu_ms']}, separators=(',', ':')))"
}

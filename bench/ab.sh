#!/usr/bin/env bash
# Two builds of the hub side by side: each commit is built in a worktree, then the two hubs run full exchanges in turn (A, B, A, B...),
# each after its own warm-up, so the machine's drift falls on both. Hub CPU per exchange from /proc/<pid>/stat.
#   bench/ab.sh PAIRS COMMIT_A COMMIT_B [SECONDS] [CONCURRENCY]      (environment: WARM=SECONDS, default 20; PROVIDER=sqlite|memory|redis)
# COMMIT may be "." for the working tree as it is.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_ENVIRONMENT=Development
[ $# -ge 3 ] || { sed -n 2,5p "$0"; exit 2; }
PAIRS=$1; S=${4:-15}; C=${5:-64}; WARM=${WARM:-20}; PROVIDER=${PROVIDER:-sqlite}
root=$PWD
dotnet build src/Clients -c Release -nologo -clp:ErrorsOnly >/dev/null
source bench/exchange.sh
AFX=$root/$AFX
work=$(mktemp -d); trees=()
trap 'kill $(jobs -p) 2>/dev/null || true; for t in "${trees[@]}"; do git -C "$root" worktree remove --force "$t" 2>/dev/null; done; rm -rf "$work"' EXIT
hubs=()
for commit in "$2" "$3"; do
  if [ "$commit" = "." ]; then dir=$root; else dir=$(mktemp -d); trees+=("$dir"); git worktree add -f --detach "$dir" "$commit" -q; fi
  dotnet build "$dir/src/Hub" -c Release -nologo -clp:ErrorsOnly >/dev/null
  hubs+=("$dir/src/Hub/bin/Release/net10.0/afx-hub.dll")
done
echo "$PAIRS pairs, $S s each after $WARM s of warm-up, $C concurrent, $PROVIDER, $(nproc) cores, $(date -u +%F)"
echo "| pair | build | ex/s | hub CPU µs per exchange | load generator µs | submit p99 ms |"
echo "|---:|---|---:|---:|---:|---:|"
for pair in $(seq 1 "$PAIRS"); do
  for i in 0 1; do
    label=$([ $i = 0 ] && echo "A $2" || echo "B $3")
    IFS='|' read -r rate cpu gen p99 <<<"$(measured_hub "${hubs[$i]}" "$PROVIDER" "$work" "$WARM" "$S" "$C")"
    echo "| $pair | $label | $rate | $cpu | $gen | $p99 |"
  done
done

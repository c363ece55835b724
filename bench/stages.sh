#!/usr/bin/env bash
# Hub CPU per full exchange by stage, by ablation: the hub is built from this commit with bench/stages.patch applied (environment
# switches that turn one stage off; the product never carries them), then each configuration runs in turn, ROUNDS times, each after
# its own warm-up. The difference to "full" is what the stage costs. Full exchanges from afx bench (freezes, 64 submitters).
#   bench/stages.sh [ROUNDS] [SECONDS] [CONCURRENCY]      (environment: WARM=SECONDS, default 20)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_ENVIRONMENT=Development
ROUNDS=${1:-2}; S=${2:-15}; C=${3:-64}; WARM=${WARM:-20}
root=$PWD
dotnet build src/Clients -c Release -nologo -clp:ErrorsOnly >/dev/null
source bench/exchange.sh
AFX=$root/$AFX
work=$(mktemp -d); tree=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; git -C "$root" worktree remove --force "$tree" 2>/dev/null; rm -rf "$work" "$tree"' EXIT
git worktree add -f --detach "$tree" HEAD -q
git -C "$tree" apply "$root/bench/stages.patch"
dotnet build "$tree/src/Hub" -c Release -nologo -clp:ErrorsOnly >/dev/null
HUB=$tree/src/Hub/bin/Release/net10.0/afx-hub.dll
configs=(
  "full|-|sqlite"
  "store in memory (tmpfs, no fsync)|-|memory"
  "store in memory, audit log not fsynced|ABL_NOFSYNC=1|memory"
  "no audit bodies kept|ABL_NOBODIES=1|sqlite"
  "audit bodies: an empty store write|ABL_BODIES_NOINSERT=1|sqlite"
  "no DELIVERED state write|ABL_NODELIVERED=1|sqlite"
  "no audit log at all|ABL_NOAUDIT=1|sqlite"
  "store in memory, no audit, no DELIVERED write|ABL_NOAUDIT=1 ABL_NODELIVERED=1|memory"
)
results=$work/results
for round in $(seq 1 "$ROUNDS"); do
  for c in "${configs[@]}"; do
    IFS='|' read -r label envspec provider <<<"$c"
    envs=(); [ "$envspec" != "-" ] && read -r -a envs <<<"$envspec"
    IFS='|' read -r rate cpu _ _ <<<"$(measured_hub "$HUB" "$provider" "$work" "$WARM" "$S" "$C" "${envs[@]}")"
    echo "$label|$rate|$cpu" | tee -a "$results" >&2
  done
done
echo "$ROUNDS rounds, $S s each after $WARM s of warm-up, $C concurrent, $(nproc) cores, $(date -u +%F), $(git rev-parse --short HEAD)"
python3 - "$results" <<'PY'
import sys, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    label, rate, cpu = line.strip().split('|'); rows.setdefault(label, []).append((int(rate), int(cpu)))
full = sum(c for _, c in rows['full']) / len(rows['full'])
print('\n| configuration | ex/s per round | hub CPU µs per exchange per round | mean | vs full |')
print('|---|---|---|---:|---:|')
for label, runs in rows.items():
    mean = sum(c for _, c in runs) / len(runs)
    print('| %s | %s | %s | %.0f | %+.0f |' % (label, ', '.join('{:,}'.format(r) for r, _ in runs), ', '.join(str(c) for _, c in runs), mean, mean - full))
PY

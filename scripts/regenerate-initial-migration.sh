#!/usr/bin/env bash
# Rebuilds migrations/versions/ as one "initial schema" revision from app/models.
# Use while the schema is still young and no database worth keeping exists:
# every existing database must be recreated afterwards (rm instance/parcours.db).
set -euo pipefail
cd "$(dirname "$0")/.."
FLASK=".venv/bin/flask --app app"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# An empty SQLite database: autogenerate compares the models against nothing.
export DATABASE_URL="sqlite:///$tmp/empty.db" PARCOURS_INSTANCE="$tmp/instance"
unset REDIS_URL

rm -f migrations/versions/*.py
$FLASK db migrate -m "initial schema"
# Proves the new revision applies, then downgrades cleanly.
$FLASK db upgrade
$FLASK db downgrade base
echo "New revision: $(ls migrations/versions/*.py)"
echo "Run 'make test' to check it on SQLite and PostgreSQL too."

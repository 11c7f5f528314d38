#!/usr/bin/env bash
# Make sure PostgreSQL server binaries exist so the test suite can start a throwaway cluster.
# Installs Debian's postgresql package when missing and we are root; otherwise explains.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing PostgreSQL server (Debian package postgresql) for the tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  # The package starts a cluster of its own; the tests use their own throwaway one.
  service postgresql stop >/dev/null 2>&1 || true
else
  echo "PostgreSQL server binaries not found: install PostgreSQL (e.g. apt-get install postgresql)" >&2
  echo "or set PATRON_TEST_POSTGRES_URL; PostgreSQL tests will be skipped otherwise." >&2
fi

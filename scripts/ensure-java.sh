#!/usr/bin/env bash
# Make sure Java 17 or newer exists for the Spark matching tests (PySpark 4 starts a JVM).
# Installs Debian's default headless JRE (17 on Debian 12, 21 on Debian 13) when missing and we
# are root; otherwise explains.
set -euo pipefail
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
if command -v java >/dev/null 2>&1 && [ "$(java_major)" -ge 17 ] 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Java (Debian package default-jre-headless) for the Spark tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq default-jre-headless >/dev/null
else
  echo "Java 17+ not found: install it (e.g. apt-get install default-jre-headless);" >&2
  echo "Spark tests will be skipped otherwise." >&2
fi

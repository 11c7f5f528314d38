#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (Playwright drives it; its own
# browser download is not possible on these machines). Installs it when missing and we are root.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium (Debian package chromium) for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
else
  echo "Chromium not found: install it (e.g. apt-get install chromium);" >&2
  echo "browser tests will be skipped otherwise." >&2
fi

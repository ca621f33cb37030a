#!/usr/bin/env bash
# Installs Debian's chromium for the dashboard's browser test when it is missing (root; apt). Safe to run again.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[browser] /usr/bin/chromium is missing: run as root or apt-get install chromium (the dashboard test is skipped without it)" >&2
  exit 0
fi
echo "[browser] installing chromium from Debian packages" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null

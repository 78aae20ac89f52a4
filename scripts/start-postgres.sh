#!/usr/bin/env bash
# Install PostgreSQL's server binaries (Debian package `postgresql`) for the
# tests marked `postgres`. The tests start their own throwaway cluster on
# loopback, so no service is started here. Idempotent and quiet: one line out.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  echo "postgresql: present ($(ls /usr/lib/postgresql | sort -V | tail -n 1))"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -q --no-install-recommends postgresql >/dev/null
echo "postgresql: installed ($(ls /usr/lib/postgresql | sort -V | tail -n 1))"

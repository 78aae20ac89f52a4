#!/usr/bin/env bash
# Install the system tools the readers call: Tesseract OCR with Vietnamese
# data, poppler-utils, and LibreOffice (headless) for legacy .doc/.rtf/.xls;
# and Chromium, with which the tests save web pages the way users do.
# Idempotent and quiet: installs only what is missing; prints one line.
set -euo pipefail

PACKAGES=(
  tesseract-ocr
  tesseract-ocr-vie
  poppler-utils
  libreoffice-writer-nogui
  libreoffice-calc-nogui
  chromium
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system deps: all present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system deps: installed ${missing[*]}"

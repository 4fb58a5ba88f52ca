#!/usr/bin/env bash
# Debian packages the app needs: fonts for the report (Noto CJK behind the Fandol faces of
# scripts/install-fonts.sh; HanaMin for rare characters of
# CJK Extension B and beyond; colour emoji), HarfBuzz subsetting (WeasyPrint is ~30x slower
# without it), Pango for WeasyPrint, poppler-utils for the report tests.
# As root they are installed; otherwise the exact apt command is printed.
set -euo pipefail

packages=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  fonts-noto-cjk fonts-liberation
  fonts-hanazono fonts-noto-color-emoji
  poppler-utils python3-venv
)
extra=("$@")
wanted=("${packages[@]}" "${extra[@]}")

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages. Install them with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

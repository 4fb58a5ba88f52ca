#!/usr/bin/env bash
# The report's 仿宋, 黑体, 楷体 and 小标宋 faces: the Fandol fonts (GPL with the font-embedding
# exception; the faces CTeX uses on Linux). Debian ships them only inside texlive-lang-chinese, so
# the package is downloaded (not installed: none of TeX is needed) and just the four faces are
# extracted into /usr/local/share/fonts/fandol, where fontconfig (WeasyPrint, chromium,
# LibreOffice) finds them. Nothing comes from anywhere but Debian's archive.
# As root it installs them; otherwise it prints the command to run, and stops.
set -euo pipefail

dest=/usr/local/share/fonts/fandol
faces=(FandolFang-Regular.otf FandolHei-Regular.otf FandolKai-Regular.otf FandolSong-Bold.otf)

missing=0
for face in "${faces[@]}"; do
  [ -s "$dest/$face" ] || missing=1
done
[ "$missing" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "The report fonts (Fandol 仿宋/黑体/楷体/宋体) are missing. Install them with:" >&2
  echo "  sudo $(realpath "$0")" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "Installing the Fandol fonts from Debian's texlive-lang-chinese into $dest"
if ! (cd "$work" && apt-get download -qq texlive-lang-chinese 2>/dev/null); then
  apt-get update -qq
  (cd "$work" && apt-get download -qq texlive-lang-chinese)
fi
patterns=("${faces[@]/#/*/fonts/opentype/public/fandol/}" "*/doc/texlive-doc/fonts/fandol/*")
dpkg-deb --fsys-tarfile "$work"/texlive-lang-chinese_*.deb |
  tar -x -C "$work" --wildcards "${patterns[@]}"
install -d "$dest"
install -m 0644 "$work"/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/*.otf \
  "$work"/usr/share/doc/texlive-doc/fonts/fandol/* "$dest"/
fc-cache -f "$dest" >/dev/null

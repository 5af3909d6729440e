#!/bin/sh
# Remove Caption App as install.sh --user installed it: the app in ~/.local/lib/caption-app,
# the caption-app command, the menu entry, icons and metainfo. Your transcripts
# (~/.local/share/caption-app) and settings (~/.config/caption-app) stay; delete those
# folders yourself if you want them gone too.
set -eu

app="$HOME/.local/lib/caption-app"
listing="$app/installed-files"
if [ ! -f "$listing" ]; then
  echo "uninstall.sh: Caption App is not installed here ($listing is missing)" >&2
  exit 1
fi
while read -r file; do
  rm -f "$file"
done <"$listing"
rm -rf "$app"
if [ "${1:-}" != "--quiet" ]; then
  echo "Caption App is removed. Your transcripts and settings were kept:"
  echo "  ${XDG_DATA_HOME:-$HOME/.local/share}/caption-app and ${XDG_CONFIG_HOME:-$HOME/.config}/caption-app"
fi

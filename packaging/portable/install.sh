#!/bin/sh
# Install Caption App for you alone, with no administrator rights:
#   ./install.sh --user
# The app goes to ~/.local/lib/caption-app, the caption-app command to ~/.local/bin, the menu
# entry, icons and AppStream metainfo under ~/.local/share. ./uninstall.sh (also kept in
# ~/.local/lib/caption-app) removes exactly what this installed, and leaves your transcripts
# and settings alone.
set -eu

case "${1:---user}" in
  --user) ;;
  -h | --help)
    sed -n '2,7s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
  *)
    echo "install.sh: unknown option $1 (use --user)" >&2
    exit 2
    ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
data="${XDG_DATA_HOME:-$HOME/.local/share}"
app="$HOME/.local/lib/caption-app"
bin="$HOME/.local/bin"
listing="$app/installed-files"

if [ -f "$listing" ]; then # an earlier installation: replaced, not mixed with this one
  sh "$app/uninstall.sh" --quiet
fi
mkdir -p "$app" "$bin"
cp -R "$here/caption-app/." "$app/"
cp "$here/uninstall.sh" "$app/uninstall.sh"
: >"$listing"

ln -sfn "$app/caption-app" "$bin/caption-app"
echo "$bin/caption-app" >>"$listing"

# The desktop entry names the installed program by its full path: ~/.local/bin is not on
# every desktop's PATH. A path with spaces is quoted, as the Desktop Entry spec asks.
exec_path="$app/caption-app"
case "$exec_path" in *" "*) exec_path="\"$exec_path\"" ;; esac
(cd "$here/share" && find . -type f) | while read -r file; do
  target="$data/${file#./}"
  mkdir -p "$(dirname "$target")"
  case "$file" in
    *.desktop) sed "s|^Exec=.*|Exec=$exec_path|" "$here/share/$file" >"$target" ;;
    *) cp "$here/share/$file" "$target" ;;
  esac
  echo "$target" >>"$listing"
done
touch "$data/icons/hicolor" 2>/dev/null || true # desktops notice the new icons

echo "Caption App is installed. Open it from your desktop's menu, or run: $bin/caption-app"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "($bin is not on your PATH: add it there to type caption-app alone.)" ;;
esac
echo "To remove it: $app/uninstall.sh"

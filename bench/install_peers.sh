#!/usr/bin/env bash
# Install the peers that bench/run.py compares feedletter with:
#   - Pelican 4.12 (and Markdown) in its own venv, bench/.peers-venv/
#   - Hugo, Debian's package (`hugo`), with apt-get
# Safe to run again: each step skips what is already there.
# Environment: PYTHON (default python3), PELICAN_SPEC (default 'pelican==4.12.*').
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="${PYTHON:-python3}"
PELICAN_SPEC="${PELICAN_SPEC:-pelican==4.12.*}"
VENV=.peers-venv

if [ ! -x "$VENV/bin/pelican" ]; then
    "$PYTHON" -m venv "$VENV"
    # Keep the venv out of git whatever the repository's .gitignore says.
    printf '*\n' > "$VENV/.gitignore"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet "$PELICAN_SPEC" markdown
fi
echo "pelican: $("$VENV/bin/pelican" --version) (bench/$VENV/bin/pelican)"

if ! command -v hugo >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends hugo
fi
echo "hugo: $(hugo version) ($(command -v hugo))"

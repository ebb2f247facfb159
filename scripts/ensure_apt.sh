#!/usr/bin/env bash
# ensure_apt.sh CHECK PACKAGE...: install Debian PACKAGE(s) with apt-get unless CHECK (a command on PATH or an
# executable path) is already there. Idempotent; used by install_browser.sh and install_java.sh.
set -euo pipefail

check="$1"
shift
if command -v "$check" >/dev/null 2>&1 || [ -x "$check" ]; then
  echo "$check already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y "$@"

# Shared by bin/run and bin/test: make .venv with the locked dependencies, installing what Debian lacks.
# Sourced, not run. Safe to run again: it only installs what is missing or changed.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

_apt_updated=""
apt_install() {
  if [ -z "$_apt_updated" ]; then
    $SUDO apt-get update -qq
    _apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_venv() {
  local lock=${1:-requirements-dev.lock}
  if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      apt_install python3-venv
      "$PYTHON" -m venv .venv
    fi
  fi
  local stamp=.venv/.installed-$(sha256sum "$lock" | cut -c1-16)
  if [ ! -f "$stamp" ]; then
    echo "Installing Python dependencies from $lock ..."
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q --require-hashes -r "$lock"
    rm -f .venv/.installed-* && touch "$stamp"
  fi
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" "$2" && return 0; sleep 0.5; done
  echo "nothing answers on $1:$2" >&2
  return 1
}

#!/usr/bin/env bash
# Installs the Debian 12 packages pingkeeper needs to build, test and run, if
# any are missing: apt-get as root, sudo otherwise.
set -euo pipefail

packages=(
  # build
  g++ cmake make pkg-config
  # libraries
  libsqlite3-dev libcli11-dev libfmt-dev libhowardhinnant-date-dev nlohmann-json3-dev libxlsxwriter-dev libboost-dev tzdata
  # tests
  doctest-dev sqlite3 python3
  # export tests and benchmarks: read workbooks back (openpyxl), convert them (LibreOffice)
  python3-openpyxl libreoffice-calc-nogui
  # network tests (tests/net): namespaces and veth, sysctl, ground truth, loss
  iproute2 procps iputils-ping fping nftables
  # traceroute tests and benchmark: ground truth and peers
  traceroute mtr-tiny
  # serve tests and benchmarks: real HTTP and WebSocket clients, load generator
  curl python3-websockets python3-aiohttp nodejs wrk
  # the serve examples suite (tests/serve/examples.bash): examples/prometheus.yml read as YAML,
  # GET /metrics read by Prometheus's own Python parser
  python3-yaml python3-prometheus-client
  # the examples suite: setpriv (util-linux), systemd-analyze (systemd)
  util-linux systemd
  # the hardening suite: a clock 40 days ahead (tests/cli/hardening.bash)
  faketime
)

# `make fuzz` only (scripts/install-deps.sh --fuzz): AFL++.
if [[ ${1:-} == --fuzz ]]; then
  packages+=(afl++)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing missing packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "error: missing packages (${missing[*]}) and no root or sudo to install them." >&2
  echo "Install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)
# Installs what building and testing asioctx needs, from Debian 12's packages, if it is missing.
# Sourced or run by the other scripts; does nothing when everything is already there.
set -euo pipefail

packages=(g++ cmake ninja-build ccache clang-format clang libclang-rt-14-dev python3
          libboost1.81-dev libboost-test1.81-dev libboost-context1.81-dev libboost1.81-tools-dev
          libssl-dev openssl)
# Node.js and npm for the Connect interop test (test/interop/connect); a node of another origin
# (NodeSource's bundles npm) is kept.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

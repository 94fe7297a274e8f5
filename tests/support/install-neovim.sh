#!/usr/bin/env bash
# Installs Neovim from the Debian packages (`apt-get install neovim`), once,
# for tests/server.rs's real-editor test. $1 (a folder) is unused: the
# package goes where apt puts it. Prints the path of `nvim`. Exits 3 when
# there is no apt-get (or no root to run it), another non-zero code when
# the package cannot be fetched.
set -euo pipefail
if command -v nvim >/dev/null 2>&1; then
    command -v nvim
    exit 0
fi
command -v apt-get >/dev/null 2>&1 || { echo "apt-get is not available" >&2; exit 3; }
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
    else
        echo "installing neovim needs root (or passwordless sudo)" >&2
        exit 3
    fi
else
    sudo=()
fi
export DEBIAN_FRONTEND=noninteractive
# Only one apt may run at a time: concurrent test runs wait for the lock.
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends neovim >&2
command -v nvim

#!/usr/bin/env bash
# Installs Microsoft's SARIF validator (the npm package @microsoft/sarif-multitool,
# which ships a self-contained Linux binary) into the folder given as $1, once.
# Prints the path of the binary. Used by tests/integration.rs; exits 3 if npm
# is missing, and another non-zero code if the package cannot be fetched.
set -euo pipefail
dir="$1"
version="5.7.0"
binary="$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -x "$binary" ]; then
    command -v npm >/dev/null 2>&1 || { echo "npm is not installed" >&2; exit 3; }
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
        "@microsoft/sarif-multitool@$version" >&2
    # The package's postinstall (chmod) may be skipped by npm's script policy.
    chmod u+x "$binary"
fi
echo "$binary"

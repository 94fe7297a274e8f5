#!/usr/bin/env bash
# Installs what tests/formats.rs checks the CI formats with, into the folder
# given as $1, once: the Python packages xmlschema (an XML Schema validator)
# and junitparser (the JUnit reader of widely used CI result publishers),
# and the JUnit schema junit-10.xsd that pytest's own tests validate
# against (from pytest's source distribution). Prints two lines: the
# folder to put on PYTHONPATH, and the schema's path.
# Exits 3 if python3 or pip is missing; another non-zero code if the
# packages cannot be fetched.
set -euo pipefail
dir="$1"
xmlschema_version="4.3.2"
junitparser_version="5.0.3"
pytest_version="9.2.0"
site="$dir/site"
xsd="$dir/junit-10.xsd"
if [ ! -f "$dir/.done-$xmlschema_version-$junitparser_version-$pytest_version" ]; then
    command -v python3 >/dev/null 2>&1 || { echo "python3 is not installed" >&2; exit 3; }
    python3 -m pip --version >/dev/null 2>&1 || { echo "pip is not installed" >&2; exit 3; }
    rm -rf "$dir"
    mkdir -p "$dir/download"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-warn-script-location \
        --target "$site" "xmlschema==$xmlschema_version" "junitparser==$junitparser_version" >&2
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
        -d "$dir/download" "pytest==$pytest_version" >&2
    tar -xzf "$dir/download/pytest-$pytest_version.tar.gz" -C "$dir/download" \
        "pytest-$pytest_version/testing/example_scripts/junit-10.xsd"
    cp "$dir/download/pytest-$pytest_version/testing/example_scripts/junit-10.xsd" "$xsd"
    touch "$dir/.done-$xmlschema_version-$junitparser_version-$pytest_version"
fi
echo "$site"
echo "$xsd"

#!/bin/sh
# Install the image functions' requirements into a target folder, for Lambda's python3.12 (Amazon Linux 2023,
# glibc 2.34, x86_64), binary wheels only. Run by the Dockerfile and, without Docker, by infra/packaging.py, so
# both produce the same tree. A requirement without a compatible wheel fails the build (pip exits non-zero).
# usage: install.sh <dir with requirements files> <target> [python]
set -eu
src="$1"; target="$2"; python="${3:-python3}"
platforms=""
minor=17
while [ "$minor" -le 34 ]; do platforms="$platforms --platform manylinux_2_${minor}_x86_64"; minor=$((minor + 1)); done
# shellcheck disable=SC2086
"$python" -m pip install --quiet --disable-pip-version-check --no-compile \
  --only-binary=:all: --implementation cp --python-version 3.12 --abi cp312 $platforms \
  --platform manylinux2014_x86_64 \
  --target "$target" -r "$src/requirements.txt" -r "$src/requirements-ml.txt"

#!/bin/sh
# Install the image functions' requirements into a target folder, for Lambda's python3.12 (Amazon Linux 2023,
# glibc 2.34, x86_64), binary wheels only. Run by the Dockerfile and, without Docker, by infra/packaging.py, so
# both produce the same tree. A requirement without a compatible wheel fails the build (pip exits non-zero):
# nothing is silently left out. PY_VERSION / GLIBC_MINOR retarget it (the tests use python3.11's 3.11 / 26).
# usage: install.sh <dir with requirements.txt and requirements-ml.txt> <target> [python]
set -eu
src="$1"; target="$2"; python="${3:-python3}"
py_version="${PY_VERSION:-3.12}"; glibc_minor="${GLIBC_MINOR:-34}"
platforms=""
minor=17
while [ "$minor" -le "$glibc_minor" ]; do platforms="$platforms --platform manylinux_2_${minor}_x86_64"; minor=$((minor + 1)); done
# shellcheck disable=SC2086
"$python" -m pip install --quiet --disable-pip-version-check --no-compile \
  --only-binary=:all: --implementation cp --python-version "$py_version" --abi "cp$(echo "$py_version" | tr -d .)" \
  $platforms --platform manylinux2014_x86_64 \
  --target "$target" -r "$src/requirements.txt" -r "$src/requirements-ml.txt"

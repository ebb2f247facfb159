#!/usr/bin/env bash
# Make sure a Java runtime (17) is on PATH for the Spark tests (tests/pipelines/test_spark.py). Idempotent;
# `make test` and so CI call it. The project's machines ship Java 17; a clean Debian gets openjdk-17-jre-headless.
set -euo pipefail

if command -v java >/dev/null 2>&1; then
  echo "java already installed: $(java -version 2>&1 | head -1)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y openjdk-17-jre-headless
java -version

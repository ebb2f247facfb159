#!/usr/bin/env bash
# Make sure a Java runtime (17) is on PATH for the Spark tests (tests/pipelines/test_spark.py). Idempotent;
# `make test` and so CI call it. The project's machines ship Java 17; a clean Debian gets openjdk-17-jre-headless.
set -euo pipefail
bash "$(dirname "$0")/ensure_apt.sh" java openjdk-17-jre-headless
java -version 2>&1 | head -1

#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (tests/web/test_browser.py). Idempotent; CI calls it.
# Playwright's Python package drives it via executable_path=/usr/bin/chromium: no Playwright browser download.
set -euo pipefail
bash "$(dirname "$0")/ensure_apt.sh" /usr/bin/chromium chromium
/usr/bin/chromium --version 2>/dev/null || true

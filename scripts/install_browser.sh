#!/usr/bin/env bash
# The browser test of `soudan app` drives Debian's chromium through chromium-driver. Install both
# from apt when either is missing (CI starts on a fresh machine); nothing else downloads a browser.
# Without root (a developer's own machine) it says what to install and exits 0: the test then skips.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: chromium or chromedriver missing and not root with apt-get;" \
         "install them (apt-get install chromium chromium-driver) or the browser test skips." >&2
    exit 0
fi
echo "install_browser: installing chromium and chromium-driver (apt)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null

#!/usr/bin/env bash
# The browser test of `soudan app` drives Debian's chromium through chromium-driver, and its
# screenshots need a Japanese font. Install them from apt when missing (CI starts on a fresh
# machine); nothing else downloads a browser. Without root (a developer's own machine) it says
# what to install and exits 0: the browser test then skips with that reason.
set -euo pipefail
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
[ -x /usr/bin/chromedriver ] || packages+=(chromium-driver)
if [ ! -e /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf ] && [ -z "$(fc-list :lang=ja 2>/dev/null || true)" ]; then
    packages+=(fonts-ipafont-gothic)
fi
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: missing ${packages[*]} and not root with apt-get; install them" \
         "(apt-get install ${packages[*]}) or the browser test of soudan app skips." >&2
    exit 0
fi
echo "install_browser: installing ${packages[*]} (apt)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

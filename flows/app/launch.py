"""Start the Streamlit server of ``soudan app``: loopback only, headless, no telemetry.

Example:
    >>> command(8765)[:4]  # doctest: +SKIP
    ['/…/python', '-m', 'streamlit', 'run']
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

PAGE = Path(__file__).with_name("page.py")
HOST = "127.0.0.1"  # never another interface: the data is about people in crisis

# Every setting that matters is given on the command line, so no ~/.streamlit/config.toml of the
# user's can open the server to the network or switch telemetry on.
SETTINGS = {
    "server.address": HOST,
    "server.headless": "true",
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "server.maxUploadSize": "1024",
    "browser.gatherUsageStats": "false",
    "browser.serverAddress": HOST,
    "client.showErrorDetails": "none",
    "client.toolbarMode": "minimal",
    "global.developmentMode": "false",
    "theme.base": "light",
}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def command(port: int) -> list[str]:
    """The ``python -m streamlit run page.py`` command line with :data:`SETTINGS` and the port."""
    options = [f"--{key}={value}" for key, value in {**SETTINGS, "server.port": str(port)}.items()]
    return [sys.executable, "-m", "streamlit", "run", str(PAGE), *options]


def serve(port: int | None = None) -> int:
    """Run the app in the foreground until interrupted; returns the server's exit code."""
    port = port or free_port()
    print(f"soudan app: http://{HOST}:{port}  (Ctrl+C で終了)", flush=True)
    try:
        return subprocess.call(command(port))
    except KeyboardInterrupt:
        return 0

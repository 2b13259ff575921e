"""Start the Streamlit server of ``soudan app``: loopback only, headless, no telemetry.

Example:
    >>> command(8765)[:4]  # doctest: +SKIP
    ['/…/python', '-m', 'streamlit', 'run']
"""

from __future__ import annotations

import os
import socket
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


def serve(port: int | None = None) -> None:
    """Become the Streamlit server (exec: Ctrl+C and kill reach it directly, no orphan is left)."""
    port = port or free_port()
    if not 0 < port < 65536:
        raise ValueError(f"--port {port}: a port number 1–65535 is needed.")
    print(f"soudan app: http://{HOST}:{port}  (Ctrl+C で終了)", flush=True)
    argv = command(port)
    os.execv(argv[0], argv)

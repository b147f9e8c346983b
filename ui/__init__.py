"""Mizan's Streamlit interface. It reaches the API over HTTP only (ui.api_client) and imports no lower layer."""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")

# Served as a finished product: no file watcher, no developer menu, no stack traces, no usage statistics, the Mizan
# colours.
SERVER_FLAGS = (
    "--server.headless=true",
    "--server.fileWatcherType=none",
    "--server.runOnSave=false",
    "--browser.gatherUsageStats=false",
    "--client.toolbarMode=minimal",
    "--client.showErrorDetails=type",
    "--theme.primaryColor=#7a3e9d",
)


def streamlit_command(*, host: str = "127.0.0.1", port: int = 8501) -> list[str]:
    """The command line that serves the interface (used by `mizan ui` and the browser tests)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        f"--server.address={host}", f"--server.port={port}", *SERVER_FLAGS,
    ]

"""Serving the class app (`sim app`) on this computer, offline.

The page is ``sim.classroom.app`` run by solara's server in a child process. Solara fetches its
JavaScript and CSS from a public CDN unless told otherwise; a classroom may have no
internet, so the server is told to serve those assets itself from the copy that the
``solara-assets`` package installs, and not to phone home.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from sim.errors import UserError

__all__ = ["HOST", "app_environment", "free_port", "server_command", "serve", "wait_until_up"]

HOST = "localhost"

# Solara settings (environment variables) that keep every request on this computer.
OFFLINE_SETTINGS: dict[str, str] = {
    "SOLARA_ASSETS_PROXY": "true",  # serve /_solara/cdn/... from the local asset copy
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",  # no usage statistics sent out
    "SOLARA_THEME_LOADER": "plain",  # the default loader links to solara's website
    "SOLARA_THEME_TITLE": "Community health: a discussion group live",
}


def app_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the server: ``base`` (default: ours) with the offline settings."""
    return {**(dict(os.environ) if base is None else base), **OFFLINE_SETTINGS}


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _check_port(host: str, port: int) -> None:
    with socket.socket() as sock:
        # as the server will: connections closing on the port do not make it busy
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            raise UserError(
                f"port {port} is already in use on {host}; choose another with --port "
                "(or --port 0 for any free port)."
            ) from None


def _check_installed() -> None:
    missing = [m for m in ("solara", "solara_assets") if importlib.util.find_spec(m) is None]
    if missing:
        raise UserError(
            f"the app needs {', '.join(missing)}: install the app extra, pip install -e '.[app]'."
        )


def server_command(port: int, host: str = HOST) -> list[str]:
    """The command line that runs the page's server (production mode, no browser)."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.classroom.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",  # it would ask the package index for a newer solara
        "--log-level",
        "warning",
    ]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> bool:
    """Poll ``url`` until it answers; False if the server died or ``timeout`` passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return False


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(port: int, echo: Callable[[str], None] = print, host: str = HOST) -> int:
    """Run the app's server until Ctrl-C; returns the server's exit status.

    Port 0 picks any free port. The address is printed once the page answers.
    """
    _check_installed()
    port = port or free_port(host)
    _check_port(host, port)
    url = f"http://{host}:{port}/"
    proc = subprocess.Popen(server_command(port, host), env=app_environment())
    for stop in (signal.SIGINT, signal.SIGTERM):  # stop the server too when we are stopped
        signal.signal(stop, _interrupt)
    try:
        if not wait_until_up(url, proc):
            proc.terminate()
            raise UserError(f"the app's server did not start on {url}; see the messages above.")
        echo(f"The class app is running at {url}  (press Ctrl-C to stop)")
        return proc.wait()
    except KeyboardInterrupt:
        echo("Stopping the app.")
        return 0
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

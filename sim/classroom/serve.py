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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from sim.errors import UserError

__all__ = [
    "HOST",
    "EVERYONE",
    "app_environment",
    "free_port",
    "network_addresses",
    "RunningApp",
    "running_app",
    "server_command",
    "serve",
    "wait_until_up",
    "where_to_go",
]

HOST = "localhost"
EVERYONE = "0.0.0.0"  # listen on every network interface: the class's devices can connect

# Solara settings (environment variables) that keep every request on this computer.
OFFLINE_SETTINGS: dict[str, str] = {
    "SOLARA_ASSETS_PROXY": "true",  # serve /_solara/cdn/... from the local asset copy
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",  # no usage statistics sent out
    "SOLARA_THEME_LOADER": "plain",  # the default loader links to solara's website
    "SOLARA_THEME_TITLE": "Community health: a discussion group live",
    # plain http on a class's network is expected: no warning about https-only cookies
    "PYTHONWARNINGS": "ignore:Cookies with samesite:UserWarning",
}


def app_environment(base: dict[str, str] | None = None, lang: str = "en") -> dict[str, str]:
    """The environment for the server: ``base`` (default: ours) with the offline settings
    and the page's language (``SIM_LANG``)."""
    return {**(dict(os.environ) if base is None else base), **OFFLINE_SETTINGS, "SIM_LANG": lang}


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


def _interface_addresses() -> set[str]:
    """IPv4 addresses of the network interfaces (Linux; empty elsewhere)."""
    try:
        import fcntl
        import struct

        names = [name for _, name in socket.if_nameindex()]
    except (ImportError, OSError, AttributeError):
        return set()
    found = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name in names:
            request = struct.pack("256s", name.encode()[:15])
            try:
                reply = fcntl.ioctl(sock.fileno(), 0x8915, request)  # SIOCGIFADDR
            except OSError:
                continue  # an interface without an IPv4 address
            found.add(socket.inet_ntoa(reply[20:24]))
    return found


def network_addresses() -> list[str]:
    """This computer's IPv4 addresses other than loopback, read from its interfaces and
    its name; no packet leaves the computer. May be empty."""
    found = _interface_addresses()
    try:
        found |= {i[4][0] for i in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith("127."))


def where_to_go(host: str, port: int, addresses: list[str]) -> list[str]:
    """The lines that tell the teacher where the page is, and whom it serves."""
    local = "localhost" if host in (EVERYONE, HOST) else host
    lines = [f"The class app is running at http://{local}:{port}/  (press Ctrl-C to stop)"]
    if host != EVERYONE:
        lines.append("Only this computer can open it; `sim app --host 0.0.0.0` serves the class.")
        return lines
    lines.append(
        "It serves everyone on this computer's network: anybody who can reach this "
        "computer can open it, and each browser gets its own groups."
    )
    if addresses:
        urls = " or ".join(f"http://{a}:{port}/" for a in addresses)
        lines.append(f"Give the class this address: {urls}")
    else:
        lines.append(
            f"Give the class this computer's network address with port {port}: "
            f"http://ADDRESS:{port}/ (`ip addr` or `ipconfig` shows the address)."
        )
    return lines


def serve(
    port: int, echo: Callable[[str], None] = print, host: str = HOST, lang: str = "en"
) -> int:
    """Run the app's server until Ctrl-C; returns the server's exit status.

    Port 0 picks any free port. The address is printed once the page answers; with
    ``host`` ``0.0.0.0`` the page serves the whole network, and the address to give the
    class is printed too. ``lang`` is the page's language when it opens.
    """
    from sim.classroom.locale import check_language

    check_language(lang)
    _check_installed()
    port = port or free_port(host)
    _check_port(host, port)
    probe = f"http://{'127.0.0.1' if host == EVERYONE else host}:{port}/"
    proc = subprocess.Popen(server_command(port, host), env=app_environment(lang=lang))
    for stop in (signal.SIGINT, signal.SIGTERM):  # stop the server too when we are stopped
        signal.signal(stop, _interrupt)
    try:
        if not wait_until_up(probe, proc):
            proc.terminate()
            raise UserError(f"the app's server did not start on {probe}; see the messages above.")
        for line in where_to_go(host, port, network_addresses() if host == EVERYONE else []):
            echo(line)
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


class RunningApp(NamedTuple):
    """A server started by ``running_app``: its address and its process id."""

    url: str
    pid: int


@contextmanager
def running_app(lang: str = "en", host: str = "127.0.0.1") -> Iterator[RunningApp]:
    """The app's server on a free port of ``host`` for a script or a test; yields its
    address and process id, and stops the server (by its process id) on the way out."""
    port = free_port(host)
    env = app_environment(lang=lang)
    proc = subprocess.Popen(server_command(port, host), env=env, start_new_session=True)
    url = f"http://{host}:{port}/"
    try:
        if not wait_until_up(url, proc, timeout=90):
            raise RuntimeError(f"the app's server did not start on {url}")
        yield RunningApp(url, proc.pid)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

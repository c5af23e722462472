"""`sandbox dashboard`: serve the dashboard with Solara, all front-end assets local (no internet needed)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from sandbox.errors import InputError

DEFAULT_HOST = "127.0.0.1"  # loopback: a training room opts in to the network with --host 0.0.0.0
DEFAULT_PORT = 8765


def command(host: str, port: int) -> list[str]:
    """The server command line (production mode makes no outside requests)."""
    return [sys.executable, "-m", "solara", "run", "sandbox.viz.app", "--host", host, "--port", str(port), "--production"]


def check(host: str, port: int) -> None:
    """Bad host/port, a busy port or a missing dashboard install → InputError (exit 2)."""
    if not 1 <= port <= 65535:
        raise InputError(f"--port {port}: must be a whole number from 1 to 65535")
    if not host.strip():
        raise InputError("--host: must not be empty (e.g. 127.0.0.1, or 0.0.0.0 for the whole room)")
    try:
        import solara  # noqa: F401
        import solara_assets  # noqa: F401
    except ModuleNotFoundError as exc:
        raise InputError(f"the dashboard needs {exc.name}: pip install 'grassroots-sandbox[dashboard]'") from None
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise InputError(f"--host {host}: not an address of this machine") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        # as the server itself will (uvicorn sets SO_REUSEADDR): connections of a dashboard stopped
        # a moment ago linger in TIME-WAIT and must not make the port look taken
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            raise InputError(f"--host {host} --port {port}: cannot listen there ({exc.strerror}); "
                             "is another dashboard running? choose another --port") from None


def register(app: typer.Typer) -> None:
    from sandbox.cli_support import friendly

    @app.command()
    @friendly
    def dashboard(
        host: Annotated[str, typer.Option(help="address to listen on; 0.0.0.0 lets trainees' browsers connect")] = DEFAULT_HOST,
        port: Annotated[int, typer.Option(help="port to listen on")] = DEFAULT_PORT,
        lessons: Annotated[str | None, typer.Option(help="a folder of your own lesson files, listed beside the shipped ones")] = None,
    ) -> None:
        """Start the bilingual dashboard (中文/English) at http://HOST:PORT/ — the sandbox at /, teaching
        at /teach, trainees join at /class. Works without internet."""
        check(host, port)
        extra = {}
        if lessons is not None:
            folder = Path(lessons)
            if not folder.is_dir():
                raise InputError(f"--lessons {lessons}: not a folder")
            from sandbox.lesson import load_lesson

            for f in sorted(folder.glob("*.toml")):
                load_lesson(f)  # a bad lesson is said now, with its file, step and key
            extra["SANDBOX_LESSONS_DIR"] = str(folder.resolve())
        env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": os.environ.get("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False"),
               "SOLARA_THEME_SHOW_BANNER": "False", **extra}  # its badge would sit on the projected charts
        print(f"dashboard: http://{host}:{port}/  (Ctrl+C stops it)", file=sys.stderr, flush=True)
        argv = command(host, port)
        os.execve(argv[0], argv, env)  # the server replaces this process: Ctrl+C and signals reach it directly

"""How many sandboxes the server holds, how big each may grow, and freeing them when a tab goes.

A sandbox session holds one or two models; a class of 40 on a 2-core server cannot hold an
unbounded number of them. New sandboxes past MAX_SESSIONS get a "server full" message instead of
a model. A session's model grows by every day it runs (matters, daily records), so a session may
run at most RESIDENT_DAYS resident-days (about 25 MB of model), then asks to restart. When a
browser tab closes or loses its connection, Solara closes its kernel after CULL_TIMEOUT (set in
viz/app.py) and the session, its models and its background comparison go with it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)
MAX_SESSIONS = int(os.environ.get("SANDBOX_MAX_SESSIONS", "60"))
RESIDENT_DAYS = int(os.environ.get("SANDBOX_SESSION_RESIDENT_DAYS", "25000000"))  # 50,000 residents × 500 days
CULL_TIMEOUT = os.environ.get("SANDBOX_CULL_TIMEOUT", "2m")  # a closed tab's session is freed this long after

_live: dict[str, Callable[[], None]] = {}  # kernel id → what to release when it closes
_lock = threading.Lock()


def max_days(residents: int) -> int:
    """The most working days a sandbox of `residents` may run."""
    return max(1, RESIDENT_DAYS // max(1, residents))


def live() -> int:
    with _lock:
        return len(_live)


def admit(release: Callable[[], None]) -> bool:
    """Count this browser session as a sandbox, or say no when the server is full. `release` runs
    when the session's kernel closes (tab closed, connection lost past the cull timeout).
    Outside a server (tests rendering a page) every session is admitted and nothing is counted."""
    from solara.server import kernel_context

    if not kernel_context.has_current_context():
        return True
    ctx = kernel_context.get_current_context()
    with _lock:
        if ctx.id in _live:
            return True
        if len(_live) >= MAX_SESSIONS:
            return False
        _live[ctx.id] = release
    ctx.on_close(lambda: _closed(ctx.id))
    return True


def _closed(kernel_id: str) -> None:
    with _lock:
        release = _live.pop(kernel_id, None)
    if release is not None:
        try:
            release()
        except Exception:
            log.exception("releasing a closed session failed")


def rss_mb() -> float:
    """This server process's resident memory, MB (Linux; NaN elsewhere)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")

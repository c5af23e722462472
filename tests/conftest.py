"""Shared settings: small townships keep the suite fast on 2 cores."""

import os

import pytest

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
# the test-only run functions (sweep_functions.py) must import in worker and CLI subprocesses too
_TESTS = os.path.dirname(os.path.abspath(__file__))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_TESTS, os.environ.get("PYTHONPATH")]))

# a small but realistic township: 4 villages of ~1,500 residents
SMALL = {"residents": 6000, "villages": 4}


@pytest.fixture
def small():
    return dict(SMALL)

# the browser fixtures, defined once for every test module (a module importing them itself would get
# its own session-scoped browser, and a second Playwright cannot start beside the first)
from dashboard_fixtures import chromium_browser, dashboard_url, open_dash  # noqa: E402,F401

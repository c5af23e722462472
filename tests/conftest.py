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

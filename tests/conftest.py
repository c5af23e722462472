"""Shared settings: small townships keep the suite fast on 2 cores."""

import os

import pytest

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

# a small but realistic township: 4 villages of ~1,500 residents
SMALL = {"residents": 6000, "villages": 4}


@pytest.fixture
def small():
    return dict(SMALL)

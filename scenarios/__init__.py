"""Scenario files, the matter catalogue, departments and the zh/en glossary (data, not code)."""

from pathlib import Path

SCENARIO_DIR = Path(__file__).parent
DATA_DIR = SCENARIO_DIR / "data"

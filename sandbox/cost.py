"""What one run will cost, estimated before it starts: a township that validates may still not fit
on the machine (2,000,000 residents × rate_scale 20 × 3,650 days is about 150 GB)."""

from __future__ import annotations

import os

from sandbox.catalogue import matter_types
from sandbox.errors import InputError
from sandbox.params import Scenario

# measured on the development machine (max RSS of vertical_grid runs, benchmarks/bench_model.py
# sizes): about 0.5 kB per resident (agent, arrays), 0.7 kB per matter raised (a matter and its
# log are kept to the end of the run), and the interpreter with numpy, pyarrow and mesa
BYTES_PER_RESIDENT = 600
BYTES_PER_MATTER = 800
BASE_BYTES = 150e6
WORKING_DAYS_PER_YEAR = 250
FALLBACK_MEMORY = 16 * 2**30  # where the machine's memory cannot be read


def expected_matters(scenario: Scenario) -> float:
    """Matters (service and disputes) a run raises on average: catalogue rates × rate_scale × residents × days."""
    per_1000_year = sum(t.rate for t in matter_types().values() if t.kind in ("service", "dispute"))
    years = scenario.run.days / WORKING_DAYS_PER_YEAR
    return per_1000_year * scenario.matters.rate_scale * scenario.township.residents / 1000.0 * years


def estimate_memory(scenario: Scenario) -> float:
    """Peak memory of one run in bytes (an estimate, within a factor of about 1.5)."""
    return BASE_BYTES + BYTES_PER_RESIDENT * scenario.township.residents + BYTES_PER_MATTER * expected_matters(scenario)


def machine_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return FALLBACK_MEMORY


def check_memory(scenario: Scenario, source: str, parallel: int = 1) -> None:
    """InputError when `parallel` runs of `scenario` at once would not fit in this machine's memory."""
    need = estimate_memory(scenario) * parallel
    have = machine_memory()
    if need > have:
        runs = f"{parallel} runs at once" if parallel > 1 else "one run"
        raise InputError(
            f"{source}: township.residents = {scenario.township.residents}, run.days = {scenario.run.days}, "
            f"matters.rate_scale = {scenario.matters.rate_scale:g}: {runs} would need about {need / 2**30:.1f} GB "
            f"of memory, this machine has {have / 2**30:.1f} GB; lower residents, days or rate_scale"
            + (" (or --workers)" if parallel > 1 else ""))

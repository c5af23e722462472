"""Defaults every front end shares (the CLI, sweeps' examples and the dashboard import them from here)."""

# the seed of a run when none is given: `sandbox run`, `sandbox compare` (replication i uses
# DEFAULT_SEED + i) and a new dashboard session
DEFAULT_SEED = 1

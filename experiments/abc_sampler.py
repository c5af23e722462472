"""pyabc's mapping sampler, seeded per task (imported only when a calibration runs: pyabc is slow
to import and an optional dependency)."""

from __future__ import annotations

import functools
import random

import numpy as np
import pyabc


class SeededMappingSampler(pyabc.sampler.MappingSampler):
    """pyabc's mapping sampler with task i of call k seeded from (master seed, k, i), so the
    posterior does not depend on how many workers there are or which runs what."""

    def __init__(self, map_, base_seed: int = 0, on_generation=None):
        super().__init__(map_=map_)
        self.base_seed, self._calls = base_seed, 0
        self.on_generation = on_generation  # driver-side progress callback (not shipped to workers)

    def __getstate__(self):
        return super().__getstate__() + (self.base_seed, self._calls)

    def __setstate__(self, state):
        super().__setstate__(state[:4])
        self.base_seed, self._calls = state[4:]

    def map_function(self, simulate_one, seed):
        simulate_one = self.unpickle(simulate_one)
        np.random.seed(seed)
        random.seed(seed)
        sample, n = self._create_empty_sample(), 0
        while True:
            result = simulate_one()
            n += 1
            sample.append(result)
            if result.accepted:
                return sample, n

    def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
        self._calls += 1
        seeds = [int(s) for s in np.random.SeedSequence([self.base_seed, self._calls]).generate_state(n)]
        results = list(self.map_(functools.partial(self.map_function, self.pickle(simulate_one)), seeds))
        self.nr_evaluations_ = sum(k for _, k in results)
        if self.on_generation is not None:
            self.on_generation(self._calls - 1, self.nr_evaluations_)
        out = self._create_empty_sample()
        for sample, _ in results:
            out += sample
        return out

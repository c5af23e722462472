"""CountyModel: the wiring of a county of townships over years; one step is one quarter.

Every township runs the full TownshipModel day by day; between decision points townships are
independent, so they can live anywhere (this process, worker processes, Dask actors: any
`host` with start / advance / daily / close). At the end of each quarter the county reads each
township's quarter summary (sandbox/county_metrics.py) and acts: leaders rotate and reforms
decay (sandbox/decay.py), pilots are designated, reforms progress and spread
(sandbox/diffusion.py). The lever changes that follow are sent to the townships, which carry
them out from the next day on (TownshipModel.set_levers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mesa
import pyarrow as pa

from sandbox import decay, diffusion
from sandbox.agents.leader import Leader
from sandbox.county_metrics import quarter_summary, relative_gain
from sandbox.county_params import Pilot
from sandbox.county_scenario import CountySpec, TownshipPlan, load_county
from sandbox.errors import InputError
from sandbox.model import WORKING_DAYS_PER_YEAR, TownshipModel
from sandbox.params import Scenario
from sandbox.reforms import INSTITUTIONALISED, NOT_ADOPTED, STAGES, Reform
from sandbox.scenario import build_scenario

QUARTERS_PER_YEAR = 4


def quarter_days(q: int) -> int:
    """Working days of quarter q (1-based): 62 or 63, 250 a year."""
    y = WORKING_DAYS_PER_YEAR
    return (q * y) // QUARTERS_PER_YEAR - ((q - 1) * y) // QUARTERS_PER_YEAR


# -- where townships live ------------------------------------------------------------------------

@dataclass(frozen=True)
class TownshipSpec:
    """What a host needs to build one township: its levers at the start and its own seed."""

    index: int
    scenario: Scenario
    seed: int


class TownshipGroup:
    """Some of a county's townships, stepped together where they live. Only quarter summaries and
    lever changes cross its boundary; the townships' state never leaves it."""

    def __init__(self, specs: list[TownshipSpec]):
        self.models = {s.index: TownshipModel(s.scenario, rng=s.seed) for s in specs}

    def info(self) -> dict[int, dict[str, float]]:
        from sandbox.agents import Cadre

        return {i: {"residents": m.population.n, "cadres": len(m.agents_by_type[Cadre]), "villages": len(m.village_sizes)}
                for i, m in self.models.items()}

    def advance(self, days: int, changes: dict[int, dict[str, Any]]) -> dict[int, dict[str, float]]:
        """Carry out the county's lever changes, run `days` working days, report the quarter."""
        out = {}
        for i, m in self.models.items():
            if changes.get(i):
                m.set_levers(**changes[i])
            start = m.day
            for _ in range(days):
                m.step()
            out[i] = quarter_summary(m, start)
        return out

    def daily(self) -> dict[int, dict[str, list]]:
        """Each township's daily metrics (day 0 is the initial state), for the output tables."""
        return {i: {"day": list(range(m.day + 1)), **{k: list(v) for k, v in m.datacollector.model_vars.items()}}
                for i, m in self.models.items()}


class InProcessHost:
    """Every township in this process (the default; the dashboard and tests reach the models)."""

    name = "one process"

    def start(self, specs: list[TownshipSpec]) -> dict[int, dict[str, float]]:
        self.group = TownshipGroup(specs)
        return self.group.info()

    def advance(self, days: int, changes: dict[int, dict[str, Any]]) -> dict[int, dict[str, float]]:
        return self.group.advance(days, changes)

    def daily(self) -> dict[int, dict[str, list]]:
        return self.group.daily()

    @property
    def models(self) -> dict[int, TownshipModel]:
        return self.group.models

    def close(self) -> None:
        pass


# -- what the county knows ---------------------------------------------------------------------

@dataclass
class ReformState:
    """One reform in one township."""

    stage: int = NOT_ADOPTED
    fidelity: float = 0.0
    since: int = 0                    # decision point the stage began at
    episode: int | None = None        # index into CountyModel.episodes while in force
    champion: int | None = None       # unique_id of the leader who champions it (None: nobody)
    baseline: dict[str, float] | None = None  # the township's quarter before adoption
    expected: float = 0.0             # gain the leader expected at adoption
    ownership: float = 1.0
    package: Pilot | None = None      # the county's package (designated pilot, or a replicable one)
    mandated: bool = False            # adopted under a mandate (a successor cannot drop it)

    @property
    def in_force(self) -> bool:
        return self.stage > NOT_ADOPTED


@dataclass
class Episode:
    """One adoption of a reform in a township, from adoption to drop (for survival measures)."""

    township: int
    reform: str
    start: int
    reason: str
    champion: int | None
    champion_left: int | None = None
    end: int | None = None
    end_reason: str | None = None


@dataclass
class Transition:
    quarter: int
    township: str
    reform: str
    from_stage: str
    to_stage: str
    reason: str
    leader: int | None
    fidelity: float


@dataclass
class Township:
    """The county's view of one township: its plan, its quarters, its reforms and its leader."""

    plan: TownshipPlan
    info: dict[str, float]
    leader: Leader
    reforms: dict[str, ReformState]
    history: list[dict[str, float]] = field(default_factory=list)   # history[q-1] = quarter q
    during: list[dict[str, tuple]] = field(default_factory=list)    # during[q-1][reform] = (stage, fidelity, package, baseline, episode)
    leaders_during: list[int] = field(default_factory=list)

    @property
    def index(self) -> int:
        return self.plan.index

    @property
    def name(self) -> str:
        return self.plan.name


class CountyModel(mesa.Model):
    """A county of townships over years. `county` is a county scenario name, path or CountySpec;
    `years` overrides its horizon; `overrides` (dotted keys) and keyword levers (`__` for the dot)
    are county levers (`leaders.tenure_min_years`, `reforms.one_form.money`) or township levers
    applied to every township (`township.residents` for a small test county); `host` decides where
    townships live (default: this process)."""

    def __init__(self, county: str | Path | CountySpec = "pilot_spreads", rng: int | None = None, years: int | None = None,
                 overrides: dict[str, Any] | None = None, host=None, **levers: Any):
        if rng is not None and not isinstance(rng, int):
            raise InputError(f"seed = {rng!r}: must be a whole number")
        super().__init__(rng=rng)
        changes = {**(overrides or {}), **{k.replace("__", "."): v for k, v in levers.items()}}
        if years is not None:
            changes["horizon.years"] = years
        self.spec = county if isinstance(county, CountySpec) else load_county(county, changes)
        self.p = self.spec.county
        self.reforms: dict[str, Reform] = self.spec.reforms
        self.quarter = 0
        self.transitions: list[Transition] = []
        self.episodes: list[Episode] = []
        self.leader_log: list[Leader] = []
        self.rotations = 0
        self.consolidated = self.p.bureaus.consolidated
        self.forms_factor = 1.0
        self.attention = set(self.spec.attention)
        self.packages: dict[str, Pilot] = {}   # reform → the package every later adopter gets (incentives.package_for_adopters)
        self.complied: set[tuple[int, str]] = set()  # (township, reform) that answered a mandate
        seeds = [int(s) for s in self.rng.integers(0, 2**62, len(self.spec.townships))]
        self.townships: list[Township] = []
        for plan in self.spec.townships:
            self.townships.append(Township(plan, {}, self._first_leader(plan), {rid: ReformState() for rid in self.reforms}))
        for t in self.townships:
            for rid, stage in t.plan.stages.items():
                if stage > NOT_ADOPTED:
                    champion = None if stage >= INSTITUTIONALISED else t.leader.unique_id
                    self.adopt(t, rid, stage, self.reforms[rid].base_fidelity, "initial", champion=champion)
        self._sent = [self.township_levers(t) for t in self.townships]
        self.host = host if host is not None else InProcessHost()
        specs = [TownshipSpec(t.index, build_scenario(t.plan.scenario, **self._sent[t.index]), seeds[t.index]) for t in self.townships]
        info = self.host.start(specs)
        for t in self.townships:
            t.info = info[t.index]
        self._pending: dict[int, dict[str, Any]] = {}

    # -- leaders ----------------------------------------------------------------------
    def _draw_appetite(self) -> float:
        L = self.p.leaders
        m = min(0.99, max(0.01, L.appetite_mean))
        return float(self.rng.beta(m * L.appetite_concentration, (1.0 - m) * L.appetite_concentration))

    def _draw_term(self) -> int:
        L = self.p.leaders
        return int(self.rng.integers(L.tenure_min_years * QUARTERS_PER_YEAR, L.tenure_max_years * QUARTERS_PER_YEAR + 1))

    def _first_leader(self, plan: TownshipPlan) -> Leader:
        s = plan.leader
        appetite = s.appetite if s.appetite is not None else self._draw_appetite()
        term = s.tenure_years * QUARTERS_PER_YEAR if s.tenure_years is not None else self._draw_term()
        served = round(s.served_years * QUARTERS_PER_YEAR) if s.served_years is not None else int(self.rng.integers(0, term))
        leader = Leader(self, plan.index, appetite, term, -served)
        self.leader_log.append(leader)
        return leader

    def successor(self, t: Township) -> Leader:
        """Rotate the township's leader out at this decision point; a new one takes office."""
        t.leader.left = self.quarter
        leader = Leader(self, t.index, self._draw_appetite(), self._draw_term(), self.quarter)
        self.leader_log.append(leader)
        t.leader = leader
        self.rotations += 1
        return leader

    # -- stage changes (every one is logged with its reason) ---------------------------
    def log(self, t: Township | None, rid: str, old: int, new: int, reason: str, fidelity: float) -> None:
        self.transitions.append(Transition(self.quarter, t.name if t is not None else "", rid, STAGES[old], STAGES[new], reason,
                                           t.leader.unique_id if t is not None else None, round(fidelity, 6)))

    def county_event(self, rid: str, reason: str) -> None:
        """A decision of the county itself (no township, no stage)."""
        self.transitions.append(Transition(self.quarter, "", rid, "", "", reason, None, math.nan))

    def adopt(self, t: Township, rid: str, stage: int, fidelity: float, reason: str, champion: int | None,
              expected: float = 0.0, ownership: float = 1.0) -> ReformState:
        """A reform comes into force in a township (a new adoption episode)."""
        st = t.reforms[rid]
        old = st.stage
        st.stage, st.fidelity, st.since = stage, min(1.0, max(0.0, fidelity)), self.quarter
        st.champion, st.expected, st.ownership = champion, expected, ownership
        st.baseline = t.history[-1] if t.history else None
        st.mandated = reason == "mandated"
        if st.package is None and rid in self.packages:
            st.package = self.packages[rid]
        st.episode = len(self.episodes)
        self.episodes.append(Episode(t.index, rid, self.quarter, reason, champion))
        self.log(t, rid, old, stage, reason, st.fidelity)
        return st

    def move(self, t: Township, rid: str, stage: int, reason: str) -> None:
        """A reform in force moves to another stage (progress, re-branding)."""
        st = t.reforms[rid]
        old = st.stage
        st.stage, st.since = stage, self.quarter
        self.log(t, rid, old, stage, reason, st.fidelity)

    def note(self, t: Township, rid: str, reason: str) -> None:
        """An event that changes no stage (a reform kept or surviving a rotation)."""
        st = t.reforms[rid]
        self.log(t, rid, st.stage, st.stage, reason, st.fidelity)

    def drop(self, t: Township, rid: str, reason: str) -> None:
        """A reform goes out of force; its episode ends."""
        st = t.reforms[rid]
        old = st.stage
        if st.episode is not None:
            ep = self.episodes[st.episode]
            ep.end, ep.end_reason = self.quarter, reason
        self.log(t, rid, old, NOT_ADOPTED, reason, st.fidelity)
        package = st.package if (st.package is not None and self._designated(t, rid)) else None
        t.reforms[rid] = ReformState(package=package)

    def _designated(self, t: Township, rid: str) -> bool:
        return any(p.township == t.name and p.reform == rid and p.quarter <= self.quarter for p in self.p.pilots)

    # -- what a leader can read -----------------------------------------------------------
    def gain(self, t: Township, rid: str, quarter: int) -> float | None:
        """Relative improvement of the reform's evidence in township t in `quarter` against its
        quarter before adoption (or, for a reform it had from the start, against the mean of the
        townships without it in that quarter)."""
        if quarter < 1 or quarter > len(t.history):
            return None
        during = t.during[quarter - 1].get(rid)
        if during is None or during[0] == NOT_ADOPTED:
            return None
        evidence = self.reforms[rid].evidence
        st_baseline = during[3]
        if st_baseline is not None:
            return relative_gain(evidence, st_baseline, t.history[quarter - 1])
        others = [o.history[quarter - 1] for o in self.townships
                  if o is not t and o.during[quarter - 1].get(rid, (NOT_ADOPTED,))[0] == NOT_ADOPTED]
        if not others:
            return None
        mean = {k: sum(o[k] for o in others) / len(others) for k in evidence}
        return relative_gain(evidence, mean, t.history[quarter - 1])

    def cost_share(self, t: Township, rid: str, package: Pilot | None = None) -> float:
        """The reform's running cost to the township as a share of its spare budget and staff
        (what a county package covers is not its cost)."""
        r, b = self.reforms[rid], self.p.budget
        money, staff = r.money, r.staff
        if package is not None:
            money, staff = max(0.0, money - package.money), max(0.0, staff - package.staff)
        return 0.5 * (_share(money, b.money_per_10k) + _share(staff, b.staff_per_10k))

    def package_share(self, package: Pilot) -> float:
        """A package's resources as a share of a township's spare budget and staff."""
        b = self.p.budget
        return 0.5 * (_share(package.money, b.money_per_10k) + _share(package.staff, b.staff_per_10k))

    def budget_used(self, t: Township) -> tuple[float, float]:
        """Money and staff (per 10,000 residents) the reforms in force draw from the spare budget
        (institutionalised ones not, when they are budgeted)."""
        money = staff = 0.0
        budgeted = self.p.lifecycle.budgeted
        for rid, st in t.reforms.items():
            if st.in_force and (st.stage < INSTITUTIONALISED or not budgeted):
                r = self.reforms[rid]
                pm, ps = (st.package.money, st.package.staff) if st.package is not None else (0.0, 0.0)
                money += max(0.0, r.money - pm)
                staff += max(0.0, r.staff - ps)
        return money, staff

    def attention_demand(self, t: Township) -> float:
        keep = self.p.lifecycle.maintenance_attention
        return sum(self.reforms[rid].attention * (keep if st.stage >= INSTITUTIONALISED else 1.0)
                   for rid, st in t.reforms.items() if st.in_force)

    def free_attention(self, t: Township) -> float:
        return 1.0 - self.p.leaders.topdown_attention - self.attention_demand(t)

    def support(self, t: Township) -> float:
        """Residents' support: their trust in local government at the end of the last quarter."""
        v = t.history[-1]["trust"] if t.history else math.nan
        return v if math.isfinite(v) else 0.5

    # -- levers the townships carry out ------------------------------------------------------
    def effective_fidelity(self, st: ReformState) -> float:
        boost = st.package.fidelity_boost if st.package is not None else 0.0
        return min(1.0, st.fidelity + boost)

    def township_levers(self, t: Township) -> dict[str, Any]:
        """Every lever the county decides for township t: each reform's (its own values when not in
        force), any county package's, and the county bureaus' forms."""
        own = t.plan.scenario
        out: dict[str, Any] = {}
        package_keys: set[str] = set()
        for p in self.p.pilots:
            package_keys.update(_dotted(k) for k in p.levers)
        for rid, r in self.reforms.items():
            st = t.reforms[rid]
            out.update(r.levers(self.effective_fidelity(st)) if st.in_force else r.own_levers(own))
        for key in sorted(package_keys):
            section, _, leaf = key.partition(".")
            out[key] = getattr(getattr(own, section), leaf)
        for st in t.reforms.values():
            if st.in_force and st.package is not None:
                out.update({_dotted(k): v for k, v in st.package.levers.items()})
        out["reporting.form_creep"] = 0.0 if self.consolidated else self.p.bureaus.form_creep
        out["reporting.forms_per_bureau_week"] = own.reporting.forms_per_bureau_week * self.forms_factor
        return out

    # -- one quarter ------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.quarter >= self.spec.quarters

    def step(self) -> None:
        """One quarter: townships run its working days, then the county decides (except after
        the last quarter, where the horizon ends)."""
        if self.done:
            return
        q = self.quarter + 1
        summaries = self.host.advance(quarter_days(q), self._pending)
        self._pending = {}
        for t in self.townships:
            t.history.append(summaries[t.index])
            t.during.append({rid: (st.stage, self.effective_fidelity(st), st.package, st.baseline, st.episode)
                             for rid, st in t.reforms.items()})
            t.leaders_during.append(t.leader.unique_id)
        self.quarter = q
        if self.done:
            return
        decay.rotate_leaders(self)
        decay.erode(self)
        decay.county_bureaus(self)
        diffusion.designate_pilots(self)
        diffusion.progress(self)
        diffusion.adopt(self)
        for t in self.townships:
            new = self.township_levers(t)
            changed = {k: v for k, v in new.items() if self._sent[t.index].get(k) != v}
            if changed:
                self._pending[t.index] = changed
                self._sent[t.index] = new

    def run(self, quarters: int | None = None, progress=None) -> None:
        """Advance `quarters` quarters (default: to the end of the horizon); `progress(q)` after each."""
        n = self.spec.quarters - self.quarter if quarters is None else quarters
        for _ in range(n):
            self.step()
            if progress is not None:
                progress(self.quarter)

    def daily_tables(self) -> pa.Table:
        """Every township's daily metrics, one row a township and day."""
        parts = []
        for i, cols in sorted(self.host.daily().items()):
            n = len(cols["day"])
            t = {"township": pa.array([self.townships[i].name] * n, pa.string()),
                 "day": pa.array(cols["day"], pa.int64())}
            for k, v in cols.items():
                if k != "day":
                    t[k] = pa.array([None if x is None or x != x else float(x) for x in v], pa.float64())
            parts.append(pa.table(t))
        return pa.concat_tables(parts)

    def close(self) -> None:
        self.host.close()


def _share(cost: float, budget: float) -> float:
    if cost <= 0:
        return 0.0
    return cost / budget if budget > 0 else 10.0


def _dotted(key: str) -> str:
    from sandbox.scenario import dotted_key

    return dotted_key(key)

"""The county scenario schema: every county lever with its type, range, default and meaning.

A county scenario names its townships (each a township scenario, by name or inline), the ties
between them, the county's pilots and mandates, and the levers below. The defaults are
assumptions of the right order of magnitude, sourced or argued in docs/county.md; every one can
be changed in a county file, with `--set`, or swept.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class Horizon(Section):
    years: int = Field(5, ge=1, le=30, description="years simulated; the county decides at the end of every quarter")


class Leaders(Section):
    tenure_min_years: int = Field(3, ge=1, le=15, description="shortest term of a township leader before rotation")
    tenure_max_years: int = Field(5, ge=1, le=15, description="longest term of a township leader before rotation")
    appetite_mean: float = Field(0.5, ge=0.0, le=1.0, description="mean appetite for innovation of a new leader")
    appetite_concentration: float = Field(4.0, ge=0.5, le=100.0, description="how alike leaders' appetites are (Beta concentration)")
    topdown_attention: float = Field(0.55, ge=0.0, le=1.0, description="share of a leader's attention taken by top-down work (考核, inspections, meetings)")
    appetite_weight: float = Field(3.0, ge=0.0, le=20.0, description="weight of a leader's own appetite in a decision (logit per unit above 0.5)")
    support_weight: float = Field(2.0, ge=0.0, le=20.0, description="weight of residents' support (their trust) in a decision (logit per unit above 0.5)")
    cost_weight: float = Field(4.0, ge=0.0, le=50.0, description="weight of a reform's cost as a share of the township's spare budget and staff (logit per unit)")
    adoption_threshold: float = Field(4.0, ge=0.0, le=20.0, description="logit a reform's value must exceed for an even chance of adoption in a quarter")
    keep_threshold: float = Field(0.0, ge=-10.0, le=10.0, description="logit a pilot's value must exceed for an even chance of keeping it at review")
    new_per_quarter: int = Field(1, ge=0, le=10, description="reforms a leader takes up of their own choosing in one quarter (mandates and designations aside)")


class Learning(Section):
    evidence_weight: float = Field(6.0, ge=0.0, le=50.0, description="weight of the gain a leader expects from what peers achieved (logit per unit of relative gain)")
    observation_noise: float = Field(0.15, ge=0.0, le=2.0, description="standard deviation of the error in a peer's gain as a leader sees it")
    own_noise: float = Field(0.05, ge=0.0, le=2.0, description="standard deviation of the error in a leader's reading of the own township's gain")
    delay_quarters: int = Field(2, ge=0, le=12, description="quarters before a peer's results reach other leaders (reports, study tours)")
    pair_noise_factor: float = Field(0.5, ge=0.0, le=1.0, description="paired-assistance partners (结对帮扶) are seen more precisely: noise × this")
    pair_weight: float = Field(2.0, ge=0.0, le=10.0, description="weight of a paired partner's results against another peer's")
    observe_neighbours: bool = Field(True, description="leaders watch neighbouring townships")
    observe_pairs: bool = Field(True, description="leaders watch their paired-assistance partner")
    observe_county_attention: bool = Field(True, description="leaders watch the townships the county draws attention to (study tours)")
    resource_visibility: float = Field(0.8, ge=0.0, le=1.0,
                                       description="share of a peer's visible extra resources (a pilot's county package) a leader counts as the cost of copying it")


class Lifecycle(Section):
    pilot_quarters: int = Field(4, ge=1, le=20, description="quarters of pilot before the leader reviews it")
    disappointment: float = Field(1.0, ge=0.0, le=10.0, description="at review, weight of the shortfall of the own gain below the gain expected at adoption (× evidence_weight)")
    adaptation_gain: float = Field(0.15, ge=0.0, le=0.5, description="fidelity adaptation adds for a fully owned reform (and removes for a fully imposed one)")
    adapted_min_quarters: int = Field(4, ge=0, le=40, description="quarters a reform stays adapted before it can be institutionalised")
    institutionalise_rate: float = Field(0.4, ge=0.0, le=10.0, description="yearly hazard that an adapted reform is written into rules, staffed and budgeted")
    maintenance_attention: float = Field(0.25, ge=0.0, le=1.0, description="share of its attention an institutionalised reform still needs")
    budgeted: bool = Field(True, description="an institutionalised reform is a regular budget line with established posts: it no longer draws on the spare budget and staff")
    optimise_after_quarters: int = Field(8, ge=1, le=40, description="quarters institutionalised before continued optimisation starts")
    optimisation_gain: float = Field(0.05, ge=0.0, le=0.5, description="fidelity continued optimisation adds per year")
    pair_fidelity_support: float = Field(0.05, ge=0.0, le=0.5, description="fidelity a township gains at adoption when its paired partner has the reform institutionalised")


class Incentives(Section):
    kaohe_weight: float = Field(1.0, ge=0.0, le=20.0, description="logit per 考核 point the county awards a reform (points per reform in [reforms.<id>] kaohe)")
    designation_ownership: float = Field(0.8, ge=0.0, le=1.0, description="how far a designated pilot's leader owns the reform (1 = as if chosen freely)")
    publicise_pilots: bool = Field(True, description="the county draws every leader's attention to its designated pilots")
    package_for_adopters: bool = Field(False, description="every township that adopts a piloted reform later gets the pilot's package too (the package is replicable)")
    mandate_compliance: float = Field(0.5, ge=0.0, le=1.0,
                                      description="quarterly chance a township complies with a mandate before its deadline (all comply at the deadline unless 0)")


class Budget(Section):
    money_per_10k: float = Field(40.0, ge=0.0, le=10000.0, description="discretionary money for innovation, 万元 per 10,000 residents per year")
    staff_per_10k: float = Field(3.0, ge=0.0, le=100.0, description="spare staff for innovation per 10,000 residents")
    binding: bool = Field(True, description="a reform whose cost exceeds what is left of the budget or spare staff cannot be adopted")


class Decay(Section):
    institution_protection: float = Field(0.9, ge=0.0, le=1.0, description="chance an institutionalised reform is out of a successor's reach (and is spared erosion)")
    new_broom: float = Field(1.5, ge=-10.0, le=10.0, description="a successor's bias against a predecessor's reform (logit; 新官不理旧账)")
    rebrand_share: float = Field(0.3, ge=0.0, le=1.0, description="share of a successor's discarded reforms re-branded as the successor's own pilot rather than dropped")
    rebrand_loss: float = Field(0.15, ge=0.0, le=1.0, description="fidelity lost when a reform is re-branded")
    champion_loss: float = Field(0.1, ge=0.0, le=1.0, description="fidelity an un-institutionalised reform loses when its champion leaves")
    orphan_decay: float = Field(0.2, ge=0.0, le=2.0, description="fidelity lost per year by an un-institutionalised reform nobody champions")
    overload_decay: float = Field(0.2, ge=0.0, le=2.0, description="fidelity lost per year by un-institutionalised reforms when the leader's attention is overcommitted")
    lapse_fidelity: float = Field(0.3, ge=0.0, le=1.0, description="a reform whose fidelity falls below this lapses (名存实亡)")


class Bureaus(Section):
    form_creep: float = Field(0.15, ge=0.0, le=5.0,
                              description="yearly rate at which merged county bureaus go back to their own forms, until consolidation is institutionalised at county level")
    new_forms_per_year: float = Field(0.05, ge=0.0, le=1.0, description="yearly growth of forms each county bureau sends, until consolidation is institutionalised at county level")
    consolidated: bool = Field(False, description="the county has institutionalised the consolidation of its bureaus' forms from the start")
    consolidate_at: float = Field(0.5, ge=0.0, le=1.0, description="share of townships with 一张表 institutionalised at which the county institutionalises consolidation")


class ReformSettings(Section):
    """The county's own settings for one reform (absent: the catalogue's values)."""

    agenda: bool = Field(True, description="the reform is on the county's agenda: leaders consider it")
    kaohe: float = Field(0.0, ge=-10.0, le=10.0, description="考核 points the county awards townships with the reform in force")
    money: float | None = Field(None, ge=0.0, le=10000.0, description="万元 per 10,000 residents per year")
    staff: float | None = Field(None, ge=0.0, le=100.0, description="staff per 10,000 residents")
    attention: float | None = Field(None, ge=0.0, le=1.0, description="share of a leader's attention while piloted or adapted")
    base_fidelity: float | None = Field(None, ge=0.0, le=1.0, description="fidelity at adoption")


class Pilot(Section):
    """A township the county designates to pilot a reform, with the resources it gives it."""

    township: str
    reform: str
    quarter: int = Field(1, ge=1, le=120, description="decision point (end of quarter) at which the pilot starts")
    money: float = Field(0.0, ge=0.0, le=10000.0, description="extra money, 万元 per 10,000 residents per year (covers the reform's cost first)")
    staff: float = Field(0.0, ge=0.0, le=100.0, description="extra staff per 10,000 residents (covers the reform's staff first)")
    fidelity_boost: float = Field(0.0, ge=0.0, le=1.0, description="fidelity the county's experts and money add to the pilot")
    levers: dict[str, Any] = Field({}, description="township levers the county's package changes in the pilot township")


class Mandate(Section):
    """A top-down order that every township adopts a reform."""

    reform: str
    quarter: int = Field(1, ge=1, le=120, description="decision point at which the mandate is issued")
    deadline_quarters: int = Field(4, ge=1, le=40, description="quarters by which every township must have adopted")


class Ties(Section):
    neighbours: list[list[str]] = Field([], description="pairs of neighbouring townships")
    pairs: list[list[str]] = Field([], description="paired-assistance partners (结对帮扶)")
    attention: list[str] = Field([], description="townships the county draws every leader's attention to")


class LeaderStart(Section):
    """The leader in office at the start (absent values are drawn)."""

    appetite: float | None = Field(None, ge=0.0, le=1.0)
    tenure_years: int | None = Field(None, ge=1, le=15, description="this leader's full term")
    served_years: float | None = Field(None, ge=0.0, le=15.0, description="years of the term already served at the start")


class TownshipEntry(Section):
    """One township: a township scenario (name or path), its levers changed inline, where it lies,
    the stage of any reform it already has, and optionally its first leader."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")
    zh: str = ""
    scenario: str = "base"
    x: float = Field(0.0, ge=-1000.0, le=1000.0, description="km east of the county seat")
    y: float = Field(0.0, ge=-1000.0, le=1000.0, description="km north of the county seat")
    levers: dict[str, dict[str, Any]] = Field({}, description="township levers by section, as in a scenario file")
    reforms: dict[str, str] = Field({}, description="reform → stage at the start")
    leader: LeaderStart = LeaderStart()


class County(Section):
    """A complete, validated county scenario."""

    description: str = ""
    description_zh: str = ""
    horizon: Horizon = Horizon()
    leaders: Leaders = Leaders()
    learning: Learning = Learning()
    lifecycle: Lifecycle = Lifecycle()
    incentives: Incentives = Incentives()
    budget: Budget = Budget()
    decay: Decay = Decay()
    bureaus: Bureaus = Bureaus()
    reforms: dict[str, ReformSettings] = {}
    every_township: dict[str, dict[str, Any]] = Field({}, description="township levers by section applied to every township before its own")
    townships: list[TownshipEntry] = Field(min_length=1)
    ties: Ties = Ties()
    pilots: list[Pilot] = []
    mandates: list[Mandate] = []


# Where each section's numbers come from (`sandbox levers`-style sources; docs/county.md "County
# levers and their sources" gives the references). Every county lever is an assumption of the
# right order of magnitude unless its own source says otherwise; none is fitted to data.
SOURCES: dict[str, str] = {
    "horizon": "The issue: a reform's fate shows over several terms of office; five years is one full term.",
    "leaders": "Tenure 3-5 years: the issue's range (five-year terms by the 2006 Provisional Regulations on tenure; about three years "
               "served in practice, recalled, not verified). Weights of the adoption logit: assumptions (Rogers; Berry & Berry: "
               "relative advantage, cost, internal determinants), set so one reform a county takes up a year or two.",
    "learning": "Jiang Xiaoping (学习模仿, 借鉴调适); Ma & Xu 2023 (learning drives diffusion in China); Rogers (observability). Noise, "
                "delay and the weights of peers: assumptions (reports and study tours take one or two quarters).",
    "lifecycle": "Jiang Xiaoping's stages (学习模仿—借鉴调适—制度化推广—持续优化); Yu Keping's study of the award finalists "
                 "(institutions sustain an innovation). Quarters, hazards and fidelity steps: assumptions.",
    "incentives": "Heilmann 2008 (experimentation under hierarchy, 由点到面); Ma & Xu 2023 (incentives drive diffusion); 考核 points "
                  "and pilot designation as the essay's 制度激励. Weights and compliance: assumptions.",
    "budget": "Assumption: a township's discretionary money and spare staff for innovation, of the order of the reforms' costs in "
              "reforms.toml (一张表 cheap, the one window dear), so that a township can afford one or two at a time.",
    "decay": "人走政息 (the issue; Yu Keping: innovations fade without institutional protection and superior support); 新官不理旧账. "
             "Chances and yearly losses: assumptions.",
    "bureaus": "The issue: forms creep back after a 减负 campaign unless consolidation is institutionalised at county level (the "
               "township model's form creep). Rates: assumptions.",
}


def source_of(section: str, leaf: str) -> str:
    """Where county lever `section.leaf` comes from: its own source if it has one, else its section's."""
    field = LEVER_SECTIONS[section].model_fields[leaf]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return extra.get("source") or SOURCES[section]


# the sections of plain levers (county-wide numbers a sweep or --set may change)
LEVER_SECTIONS: dict[str, type[Section]] = {
    "horizon": Horizon, "leaders": Leaders, "learning": Learning, "lifecycle": Lifecycle,
    "incentives": Incentives, "budget": Budget, "decay": Decay, "bureaus": Bureaus,
}

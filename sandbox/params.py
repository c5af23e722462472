"""The scenario schema: every lever of the model, its type, range, default and source.

Each field's default is the calibrated base. Its source (`source` in the field's schema extra)
says where the number comes from: the source article, a published figure (ids refer to
docs/calibration.md), a calibration by `sandbox calibrate`, or an assumption a user should vary.
`sandbox levers` prints them all; docs/calibration.md is generated from it.

Leaf names are unique across sections, so a lever can be named by its leaf (`one_window`) or
its path (`structure.one_window`) on the command line, in sweeps, in `mesa.batch_run` and in
the dashboard.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ARTICLE = "Article (探索与争鸣 2025, seed/article.zh.txt)"
ASSUMED = "Assumption; vary it"
CALIBRATED = "Fitted by `sandbox calibrate` (docs/calibration.md)"


def lever(default: Any, lo: Any, hi: Any, description: str, source: str) -> Any:
    """A numeric lever with its range and source."""
    return Field(default, ge=lo, le=hi, description=description, json_schema_extra={"source": source})


def switch(default: bool, description: str, source: str) -> Any:
    """An on/off lever (a reform or a mechanism a user can switch off)."""
    return Field(default, description=description, json_schema_extra={"source": source})


def source_of(field) -> str:
    extra = field.json_schema_extra or {}
    return extra.get("source", "") if isinstance(extra, dict) else ""


def range_of(field) -> tuple[Any, Any]:
    """A schema field's valid range (lowest, highest); None where it has no bound (or is a switch)."""
    lo = hi = None
    for meta in field.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class Run(Section):
    days: int = lever(250, 1, 3650, "working days simulated", "A working year has about 250 working days.")


class Township(Section):
    residents: int = lever(20000, 100, 2_000_000, "resident population", "A mid-sized township; the article's examples are township-level.")
    villages: int = lever(12, 1, 200, "villages and communities", "About 1,700 residents per village or community.")
    household_size: float = lever(2.8, 1.0, 8.0, "persons per household", "7th census: 2.62 nationally, higher in rural areas.")
    urban_share: float = lever(0.3, 0.0, 1.0, "share of villages that are urban communities", ASSUMED + ": a township seat with a few urban communities.")
    max_distance_km: float = lever(15.0, 0.5, 200.0, "distance of the farthest village to the township seat", ASSUMED + ": a rural township's radius.")
    remote_km: float = lever(8.0, 0.0, 200.0, "a resident farther than this counts as remote", ASSUMED + ": beyond a walk or a short ride.")
    village_size_spread: float = lever(0.3, 0.0, 0.9, "villages' sizes vary by ± this share around the mean", ASSUMED + ".")
    settlement_spread_km: float = lever(0.6, 0.0, 10.0, "spread of homes around their village centre", ASSUMED + ".")


class Population(Section):
    elderly_share: float = lever(0.22, 0.0, 1.0, "share of residents aged 60+", "7th census: 18.7 % aged 60+ nationally, about 24 % in rural areas.")
    literacy_young: float = lever(0.75, 0.0, 1.0, "mean digital literacy, under 60 (chance of using an app unaided)", ASSUMED + "; the article: many residents cannot use apps.")
    literacy_elderly: float = lever(0.346, 0.0, 1.0, "mean digital literacy, 60+ (chance of using an app unaided)", CALIBRATED + "; CNNIC 2021 (D1, D2): 43.2 % of people 60+ online, about half of them doing tasks unaided.")
    literacy_concentration: float = lever(4.0, 0.5, 100.0, "how alike residents' literacy is around the group mean (Beta concentration)", ASSUMED + ".")
    low_literacy_below: float = lever(0.35, 0.0, 1.0, "literacy under this counts as low (a group definition)", "Definition of the low-literacy group.")
    civic_propensity: float = lever(0.25, 0.0, 1.0, "mean propensity to take part in collective action", ASSUMED + "; not identified by the published figures used so far.")
    civic_concentration: float = lever(4.0, 0.5, 100.0, "how alike residents' civic propensity is (Beta concentration)", ASSUMED + ".")
    trust: float = lever(0.5, 0.0, 1.0, "mean initial trust in local government", ASSUMED + ": neutral start.")
    trust_concentration: float = lever(6.0, 0.5, 100.0, "how alike residents' initial trust is (Beta concentration)", ASSUMED + ".")
    income_spread: float = lever(0.6, 0.0, 3.0, "spread of log income", ASSUMED + ": a rural income distribution.")
    mean_ties: float = lever(3.0, 0.0, 50.0, "mean social ties per resident at the start", ASSUMED + ".")
    patience_trips: float = lever(4.0, 0.5, 50.0, "wasted trips after which half of residents give up", ASSUMED + ".")
    urgency_patience: float = lever(0.5, 0.0, 5.0, "patience of a matter with no urgency, in units of patience_trips (urgency adds to it)", ASSUMED + ".")
    remote_patience: float = lever(0.6, 0.05, 1.0, "remote residents' patience relative to others", ASSUMED + ": each trip costs them more.")


class Matters(Section):
    rate_scale: float = lever(1.0, 0.0, 20.0, "multiplier on every matter's yearly rate in the catalogue", "1 = the catalogue's yearly rates (scenarios/data/matters.toml).")
    missing_doc_prob: float = lever(0.25, 0.0, 1.0, "chance a resident lacks any one required document", ASSUMED + "; Zhejiang cut required documents by 58 % in the reform (W9).")
    notice_effect: float = lever(0.8, 0.0, 1.0, "chance a resident told a requirement in advance fetches the document before the first trip", ASSUMED + ".")
    days_to_fetch_doc: int = lever(2, 0, 60, "days to obtain a missing document", ASSUMED + ".")
    max_days_open: int = lever(120, 5, 3650, "a resident abandons a matter open this long", ASSUMED + ": about half a year of working days.")
    trust_gain_one_trip: float = lever(0.03, 0.0, 1.0, "trust gained (share of the gap to 1) when a matter is settled in at most one trip", ASSUMED + ".")
    trust_loss_per_trip: float = lever(0.01, 0.0, 0.2, "trust lost (share) for each extra trip of a settled matter, up to five", ASSUMED + ".")
    trust_loss_abandon: float = lever(0.1, 0.0, 1.0, "trust lost (share) when a resident gives a matter up", ASSUMED + ".")


class Structure(Section):
    one_window: bool = switch(False, "一窗受理: front-desk departments sit behind one window", ARTICLE + " (Xu Yong): 一门/一窗, 只进一扇门.")
    parallel_approval: bool = switch(False, "并联办理: steps routed inside, in parallel", ARTICLE + ": 变串联审批为并联办理.")
    one_responsible_body: bool = switch(False, "one body answers for a matter: redirects cut", ARTICLE + ": 只用找一人; one level, one body per matter.")
    notify_all_requirements: bool = switch(False, "一次性告知: missing documents told at first contact", ARTICLE + ": residents learn of missing documents one trip at a time.")
    one_form: bool = switch(False, "一张表: county forms consolidated and deduplicated at township level", ARTICLE + ": 一张表法.")
    leftover_station_share: float = lever(0.0, 0.0, 1.0, "share of stations kept as separate doors after 办+中心", ARTICLE + ": leftover stations (派出站所) survive and overlap.")
    office_commands_centre: bool = switch(False, "办 commands 中心: centre staff pulled to upward-facing work", ARTICLE + ": an 办 that commands its 中心 tilts it back to management.")
    centre_pull_share: float = lever(0.4, 0.0, 1.0, "share of centre staff time pulled upward when 办 commands 中心", ASSUMED + ".")
    redirect_prob: float = lever(0.3, 0.0, 1.0, "推诿: chance per visit of being sent to another door when responsibility is unclear", ASSUMED + "; not identified by the published figures used so far.")
    serve_minutes: float = lever(30.0, 1.0, 480.0, "counter minutes to serve one visit", ASSUMED + ": half an hour per counter visit.")
    crowding_exponent: float = lever(4.0, 0.5, 50.0, "how sharply the chance that a caller is not seen today rises as a counter's day fills (used share to this power)", ASSUMED + ": a queueing approximation.")
    approval_minutes: float = lever(45.0, 0.0, 960.0, "back-office staff minutes to approve one step", ASSUMED + ".")
    window_staff_per_10k: float = lever(5.0, 0.5, 100.0, "township front-desk and back-office staff per 10,000 residents", ASSUMED + ": 10 staff for 20,000 residents.")
    min_station_staff: float = lever(1.0, 0.0, 10.0, "fewest staff a station keeps however small the township (a station has at least someone)", ASSUMED + ".")
    processing_days: int = lever(3, 0, 60, "least working days an approval step takes (signatures, transit)", ASSUMED + ".")
    # fidelity: how far each structural reform is really carried out (1 = entirely, as designed)
    window_fidelity: float = lever(0.888, 0.0, 1.0, "share of a department's matter types the one window can really take; the others keep the department's own desk", CALIBRATED + "; Zhejiang 2017 realised 87.9 % (W4).")
    parallel_fidelity: float = lever(0.729, 0.0, 1.0, "chance that each further step is really routed inside, in parallel, at an accepted submission", CALIBRATED)
    responsible_body_fidelity: float = lever(0.75, 0.0, 1.0, "how far one responsible body cuts redirects (1 = no redirect left)", ASSUMED + ".")
    notice_fidelity: float = lever(0.8, 0.0, 1.0, "share of missing documents the one-time notice really lists", ASSUMED + ".")
    county_delegation: float = lever(0.5, 0.0, 1.0, "share of matter types whose county step the township routes, so the resident need not travel to the county", ASSUMED + ".")


class Reporting(Section):
    forms_per_bureau_week: float = lever(2.2, 0.0, 50.0, "forms each form-sending bureau sends a village weekly", "Guizhou (B4): a community filled ~100 distinct forms a year, each several times; with minutes_per_field, the article's village: 2 of 4 cadres fill reports.")
    fields_per_form: int = lever(23, 1, 2000, "fields (indicators) per form", "Guizhou one-form pilot (B5): 70+ indicators over 3 tables ≈ 23 a form.")
    field_overlap: float = lever(0.6, 0.0, 0.95, "share of a form's fields already asked by another bureau", "Putian (B11): 11 of 12 fields repeat basic information; 42 % of cadres name repeated filing (B1).")
    minutes_per_field: float = lever(11.6, 0.0, 120.0, "cadre minutes to fill one field for a village of reference size (gathering data across households)", CALIBRATED + "; the article's village: 2 of 4 cadres fill reports.")
    reference_village: int = lever(1700, 50, 100000, "village residents at which minutes_per_field applies", "The calibrated base's mean village.")
    size_elasticity: float = lever(0.5, 0.0, 1.5, "how a form's effort grows with village size (0 = not at all, 1 = in proportion)", ASSUMED + ": some fields are per household, some per village.")
    village_form_spread: float = lever(0.25, 0.0, 2.0, "spread of villages' form load (log-normal σ): some villages are asked more than others", ASSUMED + ".")
    form_deadline_days: int = lever(5, 1, 60, "working days a village has to return a form", ASSUMED + ".")
    paper_share: float = lever(0.5, 0.0, 1.0, "share of forms to be delivered on paper", ASSUMED + "; with delivery_hours, the article's village: 1 of 4 cadres on the road.")
    delivery_hours: float = lever(2.82, 0.0, 24.0, "hours of a paper delivery trip to the township", CALIBRATED + "; the article's village: 1 of 4 cadres on the road.")
    one_form_fidelity: float = lever(0.7, 0.0, 1.0, "share of form-sending bureaus whose forms 一张表 really merges", ASSUMED + ".")
    form_creep: float = lever(0.15, 0.0, 5.0, "yearly rate at which merged bureaus go back to sending their own forms", ASSUMED + ": forms creep back after a 减负 campaign.")
    grid_data_relief: float = lever(0.5, 0.0, 1.0, "share of grid workers' data collection that merged forms remove", ASSUMED + ".")
    perfunctory_effort: float = lever(0.4, 0.05, 1.0, "share of the full effort a cadre spends on a form already past its deadline (filled to be done with it: 应付)", ASSUMED + ".")
    overdue_drop_days: int = lever(20, 1, 250, "working days past its deadline after which a form is written off as missed", ASSUMED + ".")
    inspection_hours_week: float = lever(2.0, 0.0, 40.0, "inspections and meetings per cadre weekly", ASSUMED + ".")
    inspection_length: float = lever(2.0, 0.1, 8.0, "hours of one inspection or meeting (they come on some days, not every day)", ASSUMED + ".")
    campaigns_per_year: float = lever(4.0, 0.0, 50.0, "campaigns (专项工作) landing on villages each year", ASSUMED + ".")
    campaign_hours: float = lever(30.0, 0.0, 500.0, "hours a campaign asks of each cadre", ASSUMED + ".")
    campaign_days: int = lever(10, 1, 120, "working days a campaign's work must be done within", ASSUMED + ".")
    review_days: int = lever(15, 0, 60, "working days of the year-end review (年终考核) at the end of each year", ASSUMED + ".")
    review_hours: float = lever(1.5, 0.0, 8.0, "extra hours a day the year-end review asks of each cadre", ASSUMED + ".")


class Digital(Section):
    online_channel: bool = switch(True, "online channels (apps) exist for online-eligible matters", ARTICLE + ": digital channels (少跑路).")
    app_push: float = lever(0.3, 0.0, 1.0, "chance a counter sends an online-eligible walk-in to the app", ARTICLE + ": departments push their own apps (办事部门图省事); " + ASSUMED)
    assisted_service: bool = switch(True, "帮办代办: grid workers file online for residents who cannot", "DESIGN.md: 帮办代办 by grid workers.")
    assist_coverage: float = lever(0.8, 0.0, 1.0, "share of grid workers trained and equipped to file for residents (帮办代办)", ASSUMED + ".")
    assist_minutes: float = lever(40.0, 1.0, 480.0, "grid worker minutes per assisted matter", ASSUMED + ".")
    app_failure_days: int = lever(3, 0, 60, "days lost by a resident who tries an app and fails", ASSUMED + ".")
    work_groups: int = lever(30, 0, 500, "work groups and apps every cadre must watch", ARTICLE + ": 一个乡镇建立了数十个工作群.")
    minutes_per_group: float = lever(1.5, 0.0, 120.0, "cadre minutes per work group daily", ASSUMED + "; 42 % of cadres report 24-hour response demands (B2).")


class Cadres(Section):
    accountability_pressure: float = lever(0.7, 0.0, 1.0, "weight a cadre gives work owed upward (问责/考核) against a resident waiting (0 = residents first, 1 = upward first)", ASSUMED + ": top-down work comes first in most villages (article).")
    overdue_urgency: float = lever(1.0, 0.0, 20.0, "extra weight of an upward task per deadline-length it is overdue", ASSUMED + ".")
    waiting_urgency: float = lever(0.2, 0.0, 20.0, "extra weight of resident work per day it has waited", ASSUMED + ".")
    fatigue_gain: float = lever(0.15, 0.0, 2.0, "fatigue added by a day at the overtime cap", ASSUMED + ".")
    fatigue_recovery: float = lever(0.1, 0.0, 1.0, "share of fatigue shed each day", ASSUMED + ".")
    fatigue_slowdown: float = lever(0.3, 0.0, 0.9, "share of a tired cadre's productivity lost at full fatigue", ASSUMED + ".")
    quit_rate: float = lever(0.001, 0.0, 0.1, "daily chance a fully fatigued cadre leaves", ASSUMED + ".")
    vacancy_days: int = lever(60, 0, 500, "working days before a post that fell vacant is filled", ASSUMED + ".")
    visit_reach: float = lever(3.0, 0.0, 50.0, "households a cadre reaches per hour of household visits (走访入户)", ASSUMED + ".")
    visit_trust_gain: float = lever(0.02, 0.0, 1.0, "trust gained (share of the gap to 1) by a visited resident", ASSUMED + ".")
    visit_grievance_relief: float = lever(0.15, 0.0, 1.0, "share of a visited resident's grievance a visit relieves", ASSUMED + ".")
    demand_memory: float = lever(0.3, 0.01, 1.0, "how fast cadres adjust the hours they keep the station open to the last day's callers", ASSUMED + ".")
    visit_hours_cap: float = lever(2.0, 0.0, 12.0, "most hours a cadre spends on household visits in a day", ASSUMED + ".")


class Governance(Section):
    co_creation: bool = switch(False, "共同缔造: co-creation cycles run on top of the grid", ARTICLE + " (Xiao Bin): 共同缔造 in five stages.")
    decide_together: bool = switch(True, "决策共谋 stage", ARTICLE + ".")
    build_together: bool = switch(True, "发展共建 stage", ARTICLE + ".")
    manage_together: bool = switch(True, "建设共管 stage", ARTICLE + ".")
    evaluate_together: bool = switch(True, "效果共评 stage", ARTICLE + ".")
    share_results: bool = switch(True, "成果共享 stage", ARTICLE + ".")
    cycle_days: int = lever(20, 2, 365, "days per co-creation cycle in a village", ASSUMED + ": about a month.")
    facilitation_hours: float = lever(1.0, 0.0, 8.0, "cadre hours per working day asked for facilitating co-creation", ASSUMED + ".")
    inclusive_outreach: float = lever(0.7, 0.0, 1.0, "how far facilitators seek out the low-voice residents", ASSUMED + ".")
    local_mediation: bool = switch(True, "枫桥经验: village cadres mediate small disputes locally", ARTICLE + ": 小事不出村，大事不出镇，矛盾不上交.")
    local_mediation_share: float = lever(0.8, 0.0, 1.0, "share of village-level disputes the village really takes on under 枫桥 mediation", ASSUMED + ".")
    mediation_hours: float = lever(3.0, 0.1, 40.0, "cadre hours of mediation one dispute needs per attempt", ASSUMED + ".")
    mediation_success_local: float = lever(0.735, 0.0, 1.0, "chance a village mediation attempt settles a dispute (parties known, 就地化解)", CALIBRATED + "; people's mediation reports >96 % (F2), an upper bound.")
    mediation_success_township: float = lever(0.55, 0.0, 1.0, "chance a township mediation attempt settles a dispute", "Zhuji 2010 (F8): court 51 %, police 58.5 % settlement.")
    local_wait_days: int = lever(20, 1, 250, "working days a village-held dispute may wait before its parties take it to the township", ASSUMED + ".")
    township_mediators_per_10k: float = lever(0.3, 0.0, 50.0, "township mediation staff (司法所, 综治中心) per 10,000 residents, full time", ASSUMED + ".")
    dispute_fade: float = lever(0.005, 0.0, 1.0, "daily chance an open dispute ends without mediation (the parties settle, give up, or go to court)", ASSUMED + ".")
    crowding_out: float = lever(0.004, 0.0, 0.1, "daily erosion of civic propensity under 4 patrol hours without participation", ARTICLE + " (Xiao Bin): administrative reach crowds out self-governance; " + ASSUMED)
    civic_recovery: float = lever(0.005, 0.0, 1.0, "share of the gap to their original civic spirit residents make up each day (family, neighbours, culture)", ASSUMED + ".")
    trust_recovery: float = lever(0.005, 0.0, 1.0, "share of the gap to their original trust residents make up each day as memories fade", ASSUMED + ".")
    idle_days: int = lever(90, 1, 1000, "days without taking part after which a resident's civic spirit erodes under grid control", ASSUMED + ".")


class Cocreation(Section):
    residents_per_facilitation_hour: float = lever(12.0, 0.0, 500.0, "residents a facilitator reaches per hour (meetings, visits, 议事会)", ASSUMED + ".")
    spontaneous_invitation: float = lever(0.15, 0.0, 1.0, "chance per cycle a resident is drawn in by neighbours without facilitation", ASSUMED + "; not identified by the published figures used so far.")
    trust_floor: float = lever(0.3, 0.0, 1.0, "willingness to take part of a resident with no trust, relative to full trust", ASSUMED + ".")
    low_voice_reach: float = lever(0.3, 0.0, 1.0, "how often an invitation reaches a low-voice resident without outreach", ASSUMED + ".")
    proposals_per_cycle: int = lever(3, 0, 100, "proposals a village adopts per cycle (决策共谋)", ASSUMED + ".")
    low_voice_weight: float = lever(0.3, 0.0, 1.0, "weight of a low-voice resident's proposal without outreach, relative to others", ASSUMED + ".")
    fixes_per_participant: float = lever(0.05, 0.0, 5.0, "reported public problems residents fix per participant per cycle (发展共建)", ASSUMED + ".")
    residents_per_group: float = lever(50.0, 1.0, 10000.0, "participants per lasting resident group formed under 建设共管", ASSUMED + ".")
    spontaneous_group_factor: float = lever(0.25, 0.0, 1.0, "groups formed per participant without 建设共管, relative to with it", ASSUMED + ".")
    group_decay: float = lever(0.2, 0.0, 1.0, "share of a village's resident groups that lapse each cycle", ASSUMED + ".")
    group_prevention: float = lever(0.15, 0.0, 5.0, "public problems prevented per resident group (relative rate)", ASSUMED + ".")
    group_reporting: float = lever(0.03, 0.0, 1.0, "daily chance a resident group reports a problem in its village, per group", ASSUMED + ".")
    base_reporting: float = lever(0.02, 0.0, 1.0, "daily chance a resident reports a public problem without any group", ASSUMED + ".")
    civic_learning: float = lever(0.05, 0.0, 1.0, "civic propensity gained (share of the gap to 1) by taking part", ASSUMED + ".")
    evaluation_trust_gain: float = lever(0.1, 0.0, 1.0, "trust gained by a participant who judges a cycle's results (效果共评), scaled by what was fixed", ASSUMED + ".")
    gathering_trust_gain: float = lever(0.02, 0.0, 1.0, "trust gained by taking part in a gathering without evaluation", ASSUMED + ".")
    share_relief: float = lever(0.2, 0.0, 1.0, "share of grievance relieved for residents of a cell whose problem residents fixed (成果共享)", ASSUMED + ".")
    ties_gain: float = lever(0.5, 0.0, 10.0, "ties a participant gains per cycle when results are shared", ASSUMED + ".")
    gathering_ties_gain: float = lever(0.1, 0.0, 10.0, "ties a participant gains per gathering otherwise", ASSUMED + ".")


class Staffing(Section):
    cadres_per_village: int = lever(4, 1, 50, "cadres per rural village", ARTICLE + ": a village with 4 cadres.")
    community_workers_per_10k: float = lever(18.0, 1.0, 200.0, "community workers per 10,000 urban residents", "2024 standard (C1): 18 per 10,000.")
    households_per_cell: int = lever(400, 10, 5000, "households per grid cell", "DESIGN.md: 300-500 households (unverified, G10); Zhejiang ≈ 1,080 residents per grid (G6).")
    hours_per_day: float = lever(8.0, 1.0, 12.0, "a cadre's working hours", "Statutory working day.")
    overtime_cap: float = lever(3.0, 0.0, 8.0, "most overtime hours a cadre works daily", ASSUMED + ".")


class Grid(Section):
    patrol_hours: float = lever(4.0, 0.0, 12.0, "grid worker patrol hours daily", ASSUMED + ".")
    data_hours: float = lever(2.0, 0.0, 12.0, "grid worker hours collecting data for upper levels daily", ASSUMED + ".")
    detection_hours: float = lever(3.0, 0.1, 100.0, "patrol hours in which a grid worker of a 400-household cell finds a given problem (1 − 1/e chance)", ASSUMED + ".")
    problem_rate: float = lever(0.06, 0.0, 10.0, "public-space problems per 1,000 residents daily", ASSUMED + ".")
    in_grid_resolution: float = lever(0.15, 0.0, 1.0, "share of found problems a grid worker can settle alone", ARTICLE + ": 发现问题靠格内、解决问题靠格外.")
    outside_capacity: float = lever(1.17, 0.0, 100.0, "problems departments settle per 10,000 residents daily", CALIBRATED)
    outside_response_days: float = lever(3.0, 0.0, 250.0, "mean working days before departments outside the grid can act on a reported problem (filing, dispatch, arranging the work)", ASSUMED + ": about half a working week (Tianmen's on-time share, G9, is kept for validation, not used here).")
    problem_fade: float = lever(0.01, 0.0, 1.0, "daily chance a reported problem nobody acts on fades or is dealt with privately", ASSUMED + ".")
    backlog_grievance: float = lever(0.0003, 0.0, 0.1, "grievance added daily to residents of a cell with a reported problem left unsolved", ASSUMED + ".")


class Escalation(Section):
    grievance_threshold: float = lever(0.2, 0.0, 0.99, "grievance above which a resident starts to consider escalating", ASSUMED + ".")
    escalation_prob: float = lever(0.1, 0.0, 1.0, "daily chance of escalating at full grievance", ASSUMED + ": puts a vertical township near 5 escalations per 1,000 residents a year, the order of national letters-and-visits volumes in the 2010s (unverified, from memory).")
    escalation_curvature: float = lever(2.0, 0.5, 6.0, "how sharply the chance rises above the threshold (1 = linearly)", ASSUMED + ".")
    repeat_damping: float = lever(0.5, 0.0, 1.0, "chance of escalating again, relative to the previous time", ASSUMED + ": petitioners tire; repeat petitions are rarer.")
    escalation_relief: float = lever(0.5, 0.0, 1.0, "share of grievance an escalation relieves (the county takes the matter up)", ASSUMED + ".")
    escalation_trust_loss: float = lever(0.1, 0.0, 1.0, "share of trust in the township an escalating resident loses", ASSUMED + ".")
    escalation_hours: float = lever(8.0, 0.0, 200.0, "cadre hours an escalation costs the resident's village (接访, 稳控, reports upward)", ASSUMED + ".")
    county_settle_prob: float = lever(0.3, 0.0, 1.0, "chance the county settles the escalating resident's open dispute", ASSUMED + ".")
    dispute_grievance: float = lever(0.02, 0.0, 1.0, "daily grievance growth of a party to an open dispute", ASSUMED + ".")
    grievance_decay: float = lever(0.01, 0.0, 1.0, "share of grievance that fades each day", ASSUMED + ".")
    settle_relief: float = lever(0.5, 0.0, 1.0, "share of grievance relieved when a party's dispute is settled", ASSUMED + ".")
    failed_mediation_grievance: float = lever(0.1, 0.0, 1.0, "grievance added when a mediation attempt fails", ASSUMED + ".")
    abandon_grievance: float = lever(0.3, 0.0, 1.0, "grievance added when a resident gives up a matter", ASSUMED + ".")


class Scenario(Section):
    """A complete, validated parameter set."""

    description: str = ""
    description_zh: str = ""
    run: Run = Run()
    township: Township = Township()
    population: Population = Population()
    matters: Matters = Matters()
    structure: Structure = Structure()
    reporting: Reporting = Reporting()
    digital: Digital = Digital()
    cadres: Cadres = Cadres()
    governance: Governance = Governance()
    cocreation: Cocreation = Cocreation()
    staffing: Staffing = Staffing()
    grid: Grid = Grid()
    escalation: Escalation = Escalation()


SECTIONS: dict[str, type[Section]] = {
    name: field.annotation for name, field in Scenario.model_fields.items() if isinstance(field.annotation, type) and issubclass(field.annotation, Section)
}

# leaf name -> (section, field); the schema guarantees uniqueness (checked in tests)
LEAVES: dict[str, tuple[str, str]] = {
    leaf: (section, leaf) for section, cls in SECTIONS.items() for leaf in cls.model_fields
}

"""The scenario schema: every lever of the model, its type, range and default.

Each field's default is the calibrated base (sources in docs/calibration.md).
Leaf names are unique across sections, so a lever can be named by its leaf
(`one_window`) or its path (`structure.one_window`) on the command line, in
sweeps, in `mesa.batch_run` and in the dashboard.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class Run(Section):
    days: int = Field(250, ge=1, le=3650, description="working days simulated")


class Township(Section):
    residents: int = Field(20000, ge=100, le=2_000_000, description="resident population")
    villages: int = Field(12, ge=1, le=200, description="villages and communities")
    household_size: float = Field(2.8, ge=1.0, le=8.0, description="persons per household")
    urban_share: float = Field(0.3, ge=0.0, le=1.0, description="share of villages that are urban communities")
    max_distance_km: float = Field(15.0, ge=0.5, le=200.0, description="distance of the farthest village to the township seat")
    remote_km: float = Field(8.0, ge=0.0, le=200.0, description="a resident farther than this counts as remote")


class Population(Section):
    elderly_share: float = Field(0.22, ge=0.0, le=1.0, description="share of residents aged 60+")
    literacy_young: float = Field(0.75, ge=0.0, le=1.0, description="mean digital literacy, under 60")
    literacy_elderly: float = Field(0.25, ge=0.0, le=1.0, description="mean digital literacy, 60+")
    low_literacy_below: float = Field(0.35, ge=0.0, le=1.0, description="literacy under this counts as low")
    civic_propensity: float = Field(0.25, ge=0.0, le=1.0, description="mean propensity to take part in collective action")
    trust: float = Field(0.5, ge=0.0, le=1.0, description="mean initial trust in local government")
    patience_trips: float = Field(4.0, ge=0.5, le=50.0, description="wasted trips after which half of residents give up")


class Matters(Section):
    rate_scale: float = Field(1.0, ge=0.0, le=20.0, description="multiplier on every matter's yearly rate in the catalogue")
    missing_doc_prob: float = Field(0.25, ge=0.0, le=1.0, description="chance a resident lacks any one required document")
    notice_effect: float = Field(0.8, ge=0.0, le=1.0, description="chance a resident told all requirements at once fetches a missing document before the first trip")
    days_to_fetch_doc: int = Field(2, ge=0, le=60, description="days to obtain a missing document")
    max_days_open: int = Field(120, ge=5, le=3650, description="a resident abandons a matter open this long")


class Structure(Section):
    one_window: bool = Field(False, description="一窗受理: front-desk departments sit behind one window")
    parallel_approval: bool = Field(False, description="并联办理: steps routed inside, in parallel")
    one_responsible_body: bool = Field(False, description="one body answers for a matter: no redirects")
    notify_all_requirements: bool = Field(False, description="一次性告知: all missing documents told at first contact")
    one_form: bool = Field(False, description="一张表: county forms consolidated and deduplicated at township level")
    leftover_station_share: float = Field(0.0, ge=0.0, le=1.0, description="share of stations kept as separate doors after 办+中心")
    office_commands_centre: bool = Field(False, description="办 commands 中心: centre staff pulled to upward-facing work")
    centre_pull_share: float = Field(0.4, ge=0.0, le=1.0, description="share of centre staff time pulled upward when 办 commands 中心")
    redirect_prob: float = Field(0.3, ge=0.0, le=1.0, description="推诿: chance per visit of being sent to another door when responsibility is unclear")
    serve_minutes: float = Field(30.0, ge=1.0, le=480.0, description="counter minutes to serve one visit")
    window_staff_per_10k: float = Field(5.0, ge=0.5, le=100.0, description="township front-desk staff per 10,000 residents")
    processing_days: int = Field(3, ge=0, le=60, description="back-office days per approval step")
    # fidelity: how far each structural reform is really carried out (1 = entirely, as designed)
    window_fidelity: float = Field(0.85, ge=0.0, le=1.0, description="share of a department's matter types the one window can really take; the others keep the department's own desk")
    parallel_fidelity: float = Field(0.85, ge=0.0, le=1.0, description="chance that each further step is really routed inside, in parallel, at an accepted submission")
    responsible_body_fidelity: float = Field(0.75, ge=0.0, le=1.0, description="how far one responsible body cuts redirects (1 = no redirect left)")
    notice_fidelity: float = Field(0.8, ge=0.0, le=1.0, description="share of missing documents the one-time notice really lists")
    county_delegation: float = Field(0.5, ge=0.0, le=1.0, description="share of matter types whose county step the township routes, so the resident need not travel to the county")


class Reporting(Section):
    forms_per_bureau_week: float = Field(2.2, ge=0.0, le=50.0, description="forms each form-sending bureau sends a village weekly")
    fields_per_form: int = Field(60, ge=1, le=2000, description="fields per form")
    field_overlap: float = Field(0.6, ge=0.0, le=0.95, description="share of a form's fields already asked by another bureau")
    minutes_per_field: float = Field(4.0, ge=0.0, le=60.0, description="cadre minutes to fill one field")
    paper_share: float = Field(0.5, ge=0.0, le=1.0, description="share of forms to be delivered on paper")
    delivery_hours: float = Field(4.0, ge=0.0, le=24.0, description="hours of a paper delivery trip to the township")
    one_form_fidelity: float = Field(0.7, ge=0.0, le=1.0, description="share of form-sending bureaus whose forms 一张表 really merges")
    form_creep: float = Field(0.15, ge=0.0, le=5.0, description="yearly rate at which merged bureaus go back to sending their own forms")
    grid_data_relief: float = Field(0.5, ge=0.0, le=1.0, description="share of grid workers' data collection that merged forms remove")
    inspection_hours_week: float = Field(2.0, ge=0.0, le=40.0, description="inspections and meetings per cadre weekly")


class Digital(Section):
    online_channel: bool = Field(True, description="online channels (apps) exist for online-eligible matters")
    app_push: float = Field(0.3, ge=0.0, le=1.0, description="chance a counter sends an online-eligible walk-in to the app")
    assisted_service: bool = Field(True, description="帮办代办: grid workers file online for residents who cannot")
    assist_coverage: float = Field(0.8, ge=0.0, le=1.0, description="share of grid workers trained and equipped to file for residents (帮办代办)")
    assist_minutes: float = Field(40.0, ge=1.0, le=480.0, description="grid worker minutes per assisted matter")
    app_failure_days: int = Field(3, ge=0, le=60, description="days lost by a resident who tries an app and fails")
    work_groups: int = Field(30, ge=0, le=500, description="work groups and apps every cadre must watch")
    minutes_per_group: float = Field(1.5, ge=0.0, le=120.0, description="cadre minutes per work group daily")


class Governance(Section):
    co_creation: bool = Field(False, description="共同缔造: co-creation cycles run on top of the grid")
    decide_together: bool = Field(True, description="决策共谋 stage")
    build_together: bool = Field(True, description="发展共建 stage")
    manage_together: bool = Field(True, description="建设共管 stage")
    evaluate_together: bool = Field(True, description="效果共评 stage")
    share_results: bool = Field(True, description="成果共享 stage")
    cycle_days: int = Field(20, ge=2, le=365, description="days per co-creation cycle in a village")
    facilitation_hours: float = Field(1.0, ge=0.0, le=8.0, description="cadre hours per working day facilitating co-creation")
    inclusive_outreach: float = Field(0.7, ge=0.0, le=1.0, description="how far facilitators seek out the low-voice residents")
    local_mediation: bool = Field(True, description="枫桥经验: village cadres mediate small disputes locally")
    local_mediation_share: float = Field(0.8, ge=0.0, le=1.0, description="share of village-level disputes the village really takes on under 枫桥 mediation")
    mediation_hours: float = Field(2.0, ge=0.1, le=40.0, description="cadre hours to mediate one dispute")
    mediation_success_local: float = Field(0.8, ge=0.0, le=1.0, description="chance a village mediation settles a dispute (parties known, 就地化解)")
    mediation_success_township: float = Field(0.5, ge=0.0, le=1.0, description="chance a township mediation settles a dispute")
    crowding_out: float = Field(0.004, ge=0.0, le=0.1, description="daily erosion of civic propensity under grid control without participation")


class Staffing(Section):
    cadres_per_village: int = Field(4, ge=1, le=50, description="cadres per rural village")
    community_workers_per_10k: float = Field(18.0, ge=1.0, le=200.0, description="community workers per 10,000 urban residents")
    households_per_cell: int = Field(400, ge=50, le=5000, description="households per grid cell")
    hours_per_day: float = Field(8.0, ge=1.0, le=12.0, description="a cadre's working hours")
    overtime_cap: float = Field(3.0, ge=0.0, le=8.0, description="most overtime hours a cadre works daily")


class Grid(Section):
    patrol_hours: float = Field(4.0, ge=0.0, le=12.0, description="grid worker patrol hours daily")
    data_hours: float = Field(2.0, ge=0.0, le=12.0, description="grid worker hours collecting data for upper levels daily")
    problem_rate: float = Field(0.06, ge=0.0, le=10.0, description="public-space problems per 1,000 residents daily")
    in_grid_resolution: float = Field(0.15, ge=0.0, le=1.0, description="share of found problems a grid worker can settle alone")
    outside_capacity: float = Field(0.4, ge=0.0, le=100.0, description="problems departments settle per 10,000 residents daily")


class Escalation(Section):
    grievance_threshold: float = Field(0.6, ge=0.0, le=1.0, description="grievance above which a resident may escalate")
    escalation_prob: float = Field(0.05, ge=0.0, le=1.0, description="daily chance of escalating above the threshold")
    dispute_grievance: float = Field(0.02, ge=0.0, le=1.0, description="daily grievance growth of a party to an open dispute")
    failed_mediation_grievance: float = Field(0.2, ge=0.0, le=1.0, description="grievance added when a mediation attempt fails")
    abandon_grievance: float = Field(0.3, ge=0.0, le=1.0, description="grievance added when a resident gives up a matter")


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
    governance: Governance = Governance()
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

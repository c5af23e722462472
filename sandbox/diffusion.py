"""Diffusion (创新扩散, Jiang Xiaoping): from a showcase (盆景) to a landscape (风景) through learning
and imitation → adaptation → institutionalisation → continued optimisation.

At each decision point, in township order:
- the county designates its pilots and gives them its package (resources, levers, a fidelity
  boost); a replicable package goes to every later adopter too;
- reforms progress: a pilot is reviewed after [lifecycle] pilot_quarters (kept and adapted —
  adaptation raises fidelity as far as the leader owns the reform and lowers it as far as it was
  imposed — or dropped when the own gain disappoints); an adapted reform may be written into
  rules, staffed and budgeted (institutionalised); an institutionalised one is optimised;
- leaders adopt: each weighs the gain peers show (neighbours, paired partner, townships the
  county draws attention to — seen with noise and delay), 考核 points, residents' support, the
  own appetite and the cost against the spare budget and staff, including the extra resources
  a showcase visibly needed, and takes it up as far as spare attention allows; mandates make the
  rest comply, skipping the pilot.
"""

from __future__ import annotations

import math

from sandbox.reforms import ADAPTED, INSTITUTIONALISED, OPTIMISED, PILOT


def observe(county, t, rid: str) -> tuple[float | None, float]:
    """What township t's leader sees of reform `rid` in peers, `delay_quarters` late and with
    noise: (expected gain, or None with no peer to learn from; the visible cost share of the
    non-replicable resources behind the peers' results)."""
    L = county.p.learning
    q_obs = county.quarter - L.delay_quarters
    if q_obs < 1:
        return None, 0.0
    peers: dict[int, tuple[float, float]] = {}
    if L.observe_neighbours:
        for j in county.spec.neighbours.get(t.index, ()):
            peers[j] = (1.0, L.observation_noise)
    if L.observe_county_attention:
        for j in county.attention:
            peers.setdefault(j, (1.0, L.observation_noise))
    if L.observe_pairs:
        for j in county.spec.pairs.get(t.index, ()):
            peers[j] = (L.pair_weight, L.observation_noise * L.pair_noise_factor)
    peers.pop(t.index, None)
    total = seen = visible = 0.0
    for j in sorted(peers):
        peer = county.townships[j]
        g = county.gain(peer, rid, q_obs)
        if g is None:
            continue
        w, sd = peers[j]
        if w <= 0:
            continue
        total += w * (g + (county.rng.normal(0.0, sd) if sd > 0 else 0.0))
        seen += w
        package = peer.during[q_obs - 1][rid][2]
        if package is not None and not county.p.incentives.package_for_adopters:
            visible += w * L.resource_visibility * county.package_share(package)
    if seen == 0:
        return None, 0.0
    return total / seen, visible / seen


def pair_support(county, t, rid: str) -> float:
    """Fidelity a paired partner with the reform institutionalised passes on (结对帮扶)."""
    partners = county.spec.pairs.get(t.index, ())
    if any(county.townships[j].reforms[rid].stage >= INSTITUTIONALISED for j in partners):
        return county.p.lifecycle.pair_fidelity_support
    return 0.0


def affordable(county, t, rid: str, package) -> bool:
    """Whether what is left of the spare budget and staff covers the reform (if the budget binds)."""
    b = county.p.budget
    if not b.binding:
        return True
    money_used, staff_used = county.budget_used(t)
    r = county.reforms[rid]
    money, staff = r.money, r.staff
    if package is not None:
        money, staff = max(0.0, money - package.money), max(0.0, staff - package.staff)
    return money_used + money <= b.money_per_10k + 1e-9 and staff_used + staff <= b.staff_per_10k + 1e-9


def attention_room(county, t, rid: str) -> float:
    """How far the leader's spare attention covers the reform, 0–1: a leader with half the
    attention a reform needs takes it up half as readily; with none spare, not at all (the one
    threshold: nothing left after top-down work and the reforms in force)."""
    need = county.reforms[rid].attention
    free = county.free_attention(t)
    if need <= 0:
        return 1.0 if free >= -1e-9 else 0.0
    return min(1.0, max(0.0, free / need))


def mandated_reforms(county) -> dict:
    """Reforms under a mandate issued by now (the earliest mandate of each); none if townships
    ignore mandates (incentives.mandate_compliance = 0)."""
    out = {}
    if county.p.incentives.mandate_compliance <= 0:
        return out
    for m in sorted(county.p.mandates, key=lambda m: m.quarter):
        if m.quarter <= county.quarter:
            out.setdefault(m.reform, m)
    return out


def designate_pilots(county) -> None:
    """The county's pilots that start at this decision point, with their packages."""
    for p in county.p.pilots:
        if p.quarter != county.quarter:
            continue
        t = next(x for x in county.townships if x.name == p.township)
        if county.p.incentives.publicise_pilots:
            county.attention.add(t.index)
        if county.p.incentives.package_for_adopters:
            county.packages.setdefault(p.reform, p)
        st = t.reforms[p.reform]
        st.package = p
        if st.in_force:
            continue
        r = county.reforms[p.reform]
        expected, _ = observe(county, t, p.reform)
        chance = t.leader.adoption_chance(expected or 0.0, r.kaohe, county.support(t), county.cost_share(t, p.reform, p))
        county.adopt(t, p.reform, PILOT, r.base_fidelity + pair_support(county, t, p.reform), "designated",
                     champion=t.leader.unique_id, expected=expected or 0.0, ownership=t.leader.ownership(chance, "designated"))
        county.complied.add((t.index, p.reform))


def progress(county) -> None:
    """Pilots reviewed and adapted (or dropped), adapted reforms institutionalised, institutionalised
    ones optimised."""
    lc = county.p.lifecycle
    q = county.quarter
    mandated = mandated_reforms(county)
    for t in county.townships:
        for rid, st in list(t.reforms.items()):
            if not st.in_force:
                continue
            r = county.reforms[rid]
            age = q - st.since
            if st.stage == PILOT and age >= lc.pilot_quarters:
                own = county.gain(t, rid, q)
                read = (own if own is not None else 0.0) + county.rng.normal(0.0, county.p.learning.own_noise)
                keep = t.leader.keeps_pilot(read, st.expected, r.kaohe, county.support(t), county.cost_share(t, rid, st.package))
                if keep or rid in mandated:
                    st.fidelity = min(1.0, max(0.0, st.fidelity + lc.adaptation_gain * (2.0 * st.ownership - 1.0)))
                    county.move(t, rid, ADAPTED, "adapted")
                else:
                    county.drop(t, rid, "dropped_after_pilot")
                    continue
            elif st.stage == ADAPTED and age >= lc.adapted_min_quarters:
                if county.random.random() < 1.0 - math.exp(-lc.institutionalise_rate / 4.0):
                    county.move(t, rid, INSTITUTIONALISED, "institutionalised")
            elif st.stage == INSTITUTIONALISED and age >= lc.optimise_after_quarters:
                county.move(t, rid, OPTIMISED, "optimised")
            if st.stage == OPTIMISED:
                st.fidelity = min(1.0, st.fidelity + lc.optimisation_gain / 4.0)


def adopt(county) -> None:
    """Leaders adopt reforms on the agenda ([leaders] new_per_quarter of their own choosing a
    quarter at most); under a mandate the others comply, skipping the pilot."""
    lc = county.p.lifecycle
    q = county.quarter
    mandated = mandated_reforms(county)
    compliance = county.p.incentives.mandate_compliance
    for t in county.townships:
        leader = t.leader
        adopted = 0
        for rid, r in county.reforms.items():
            if not r.agenda:
                continue
            st = t.reforms[rid]
            m = mandated.get(rid)
            if st.in_force:
                if m is not None:
                    county.complied.add((t.index, rid))
                continue
            package = county.packages.get(rid)
            expected, visible = observe(county, t, rid)
            cost = county.cost_share(t, rid, package) + visible
            chance = leader.adoption_chance(expected if expected is not None else 0.0, r.kaohe, county.support(t), cost)
            draw = county.random.random()  # taken whether needed or not: paired runs stay in step
            feasible = adopted < county.p.leaders.new_per_quarter and affordable(county, t, rid, package)
            if feasible and draw < chance * attention_room(county, t, rid):
                county.adopt(t, rid, PILOT, r.base_fidelity + pair_support(county, t, rid),
                             "adopted" if expected is not None else "innovated",
                             champion=leader.unique_id, expected=expected or 0.0, ownership=leader.ownership(chance, "free"))
                adopted += 1
                if m is not None:
                    county.complied.add((t.index, rid))
                continue
            if m is None or (t.index, rid) in county.complied or compliance <= 0:
                continue
            deadline = m.quarter + m.deadline_quarters - 1
            if q >= deadline or county.random.random() < compliance:
                own = leader.ownership(chance, "mandated")
                fidelity = r.base_fidelity + pair_support(county, t, rid) + lc.adaptation_gain * (2.0 * own - 1.0)
                county.adopt(t, rid, ADAPTED, fidelity, "mandated", champion=leader.unique_id,
                             expected=expected or 0.0, ownership=own)
                county.complied.add((t.index, rid))

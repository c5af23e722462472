"""Decay (人走政息): reforms fade when their champion leaves, forms creep back, stations reopen.

- Rotation: a leader whose term is over leaves; the successor judges each reform someone else
  championed — its results in this township against the new broom — and keeps, re-brands (a
  new pilot under the successor's name, some fidelity lost) or drops it. An institutionalised
  reform is out of reach with chance [decay] institution_protection; a reform under a mandate
  is kept.
- Erosion: a reform nobody champions, or that competes for an overcommitted leader's attention,
  loses fidelity each quarter (institutionalised ones only as far as protection fails); below
  lapse_fidelity it lapses. Fidelity drives the reform's levers, so leftover stations reopen as
  the one window erodes (reforms.toml: leftover_station_share follows its fidelity).
- County bureaus: until the county institutionalises the consolidation of forms, each bureau
  sends more forms every year and merged bureaus creep back to their own forms; the county does
  it once enough townships have the form-merging reform institutionalised.
"""

from __future__ import annotations

from sandbox.reforms import INSTITUTIONALISED, PILOT


def rotate_leaders(county) -> None:
    d = county.p.decay
    q = county.quarter
    from sandbox.diffusion import mandated_reforms

    mandated = mandated_reforms(county)
    for t in county.townships:
        if q < t.leader.leaves_at:
            continue
        old = t.leader
        new = county.successor(t)
        for rid, st in list(t.reforms.items()):
            if not st.in_force:
                continue
            left_now = st.champion == old.unique_id
            if left_now and st.episode is not None and county.episodes[st.episode].champion_left is None:
                county.episodes[st.episode].champion_left = q  # the first champion's departure
                st.champion = None
            if st.stage >= INSTITUTIONALISED and county.random.random() < d.institution_protection:
                county.note(t, rid, "survived_rotation")
                continue
            r = county.reforms[rid]
            own = county.gain(t, rid, q)
            read = (own if own is not None else 0.0) + county.rng.normal(0.0, county.p.learning.own_noise)
            if rid in mandated or new.keeps_predecessors(read, r.kaohe, county.support(t)):
                if left_now:
                    st.fidelity = max(0.0, st.fidelity - d.champion_loss)
                county.note(t, rid, "kept_by_successor")
                if county.effective_fidelity(st) < d.lapse_fidelity:
                    county.drop(t, rid, "lapsed")
            elif county.random.random() < d.rebrand_share:
                st.fidelity = max(0.0, st.fidelity - d.rebrand_loss)
                st.champion, st.expected, st.ownership = new.unique_id, read, 1.0
                county.move(t, rid, PILOT, "rebranded")
            else:
                county.drop(t, rid, "dropped_by_successor")


def erode(county) -> None:
    d = county.p.decay
    for t in county.townships:
        overloaded = county.free_attention(t) < -1e-9
        for rid, st in list(t.reforms.items()):
            if not st.in_force:
                continue
            scale = (1.0 - d.institution_protection) if st.stage >= INSTITUTIONALISED else 1.0
            loss = (d.orphan_decay if st.champion is None else 0.0) + (d.overload_decay if overloaded else 0.0)
            if loss > 0 and scale > 0:
                st.fidelity = max(0.0, st.fidelity - loss / 4.0 * scale)
            if county.effective_fidelity(st) < d.lapse_fidelity:
                county.drop(t, rid, "lapsed")


def county_bureaus(county) -> None:
    b = county.p.bureaus
    if county.consolidated:
        return
    county.forms_factor *= (1.0 + b.new_forms_per_year) ** 0.25
    n = len(county.townships)
    for rid, r in county.reforms.items():
        if not r.consolidates_forms:
            continue
        share = sum(t.reforms[rid].stage >= INSTITUTIONALISED for t in county.townships) / n
        if share >= b.consolidate_at:
            county.consolidated = True
            county.county_event(rid, "consolidated")
            return

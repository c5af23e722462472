"""The article's seven claims, each reproduced by the mechanisms and removed by its switch."""

import pytest

from sandbox.claims import claims, evaluate

REPLICATIONS = 8
SETTINGS = {"residents": 6000, "villages": 4, "days": 120}


@pytest.mark.parametrize("claim_id", list(claims()))
def test_claim_holds_and_vanishes_when_mechanism_is_off(claim_id):
    claim = claims()[claim_id]
    effects, means = evaluate(claim, REPLICATIONS, workers=2, **SETTINGS)
    for metric, e in effects.items():
        assert e.holds, f"{claim_id}: {metric} should {e.direction}: Δ={e.diff:.3f} CI [{e.low:.3f}, {e.high:.3f}]"
    for metric, bound in claim.treatment_at_most.items():
        assert means[metric] <= bound, f"{claim_id}: {metric} = {means[metric]:.3f} > {bound}"
    off, _ = evaluate(claim, REPLICATIONS, switched_off=True, workers=2, **SETTINGS)
    for metric, e in off.items():
        if effects[metric].direction == "similar":
            continue
        on = effects[metric]
        gone = e.includes_zero or abs(e.diff) <= 0.1 * abs(on.diff)
        assert gone, f"{claim_id} with {claim.off}: {metric} still moves Δ={e.diff:.3f} CI [{e.low:.3f}, {e.high:.3f}]"


def test_every_design_claim_is_encoded():
    assert len(claims()) == 7
    for c in claims().values():
        assert c.zh and c.en and c.off, c.id

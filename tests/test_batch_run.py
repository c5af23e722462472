"""The model works under Mesa's own batch runner."""

import mesa

from sandbox.model import TownshipModel


def test_batch_run_returns_metrics():
    rows = mesa.batch_run(
        TownshipModel,
        parameters={"scenario": "vertical_grid", "residents": 1500, "villages": 3, "one_window": [False, True]},
        iterations=2,
        max_steps=15,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(rows) == 4  # 2 levers × 2 iterations, last step only
    assert {r["one_window"] for r in rows} == {False, True}
    for r in rows:
        assert r["Step"] == 15
        assert r["matters_raised"] > 0
        assert 0.0 <= r["order_index"] <= 1.0
        # conserved: every service matter raised is settled, abandoned or still open
        assert r["matters_settled"] + r["matters_abandoned"] + r["matters_open"] <= r["matters_raised"]

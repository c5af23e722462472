"""The dashboard's views, in tab order: one line each.

To add a view, add a `View(...)` line here and a `tab_<key>` label to the glossary's [ui] section.
`component` names the component as "module:Name" (imported when the dashboard starts, so this
list can be read without the dashboard installed, e.g. by `sandbox validate` for lessons).
Every view is called as `Component(model, session)`: the model to show and, in the sandbox, the
browser session's `Session` (None when a lesson shows the class's model on the projector);
`lesson=True` lets a lesson step name the view (it must then work with session=None);
`county=True` marks a view of a county: a lesson's county step shows it with the class's
`CountyModel` as the model.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class View:
    key: str
    component: str
    lesson: bool = False
    county: bool = False

    def load(self):
        module, _, name = self.component.partition(":")
        return getattr(importlib.import_module(module), name)


VIEWS: tuple[View, ...] = (
    View("map", "sandbox.viz.map:MapView", lesson=True),
    View("trips", "sandbox.viz.charts:TripsView", lesson=True),
    View("cadres", "sandbox.viz.charts:CadresView", lesson=True),
    View("tradeoff", "sandbox.viz.tradeoff:TradeoffView", lesson=True),
    View("journey", "sandbox.viz.journey:JourneyView"),
    View("compare", "sandbox.viz.compare:CompareView"),
    View("results", "sandbox.viz.results:ResultsTab"),
    View("county", "sandbox.viz.county:CountyView", lesson=True, county=True),
)


def lesson_views(county: bool = False) -> list[str]:
    """Keys a lesson step may name in `view =` (a county step: the county views)."""
    return [v.key for v in VIEWS if v.lesson and v.county == county]

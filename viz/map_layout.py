"""Where the map draws things: each village a disc around its office, cut into its grid cells as
sectors sized by households, each resident inside their own cell; the doors of the township seat.

The model places homes around their village and assigns them to cells without a geography of
cells, so drawn as they are the cells overlap. The map therefore draws a schematic: villages
keep the model's positions, a village's disc never reaches a neighbour's or the seat, a cell's
sector is proportional to its residents, and a resident keeps their rank in distance from the
village office. Fixed for a model (who lives where does not change during a run).
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np

from sandbox.catalogue import departments

MAX_RADIUS_KM = 1.6
ARC_POINTS = 48  # points on a full circle's outline
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class MapLayout:
    xy: np.ndarray              # display position of every resident
    cell_centres: np.ndarray    # where each cell's grid worker stands
    cell_outlines: list         # closed polygon of each cell
    radius: np.ndarray          # each village's disc radius, km


def village_radii(centres: np.ndarray) -> np.ndarray:
    """Discs that touch neither each other nor the township seat at (0, 0)."""
    n = len(centres)
    to_seat = np.hypot(centres[:, 0], centres[:, 1])
    if n > 1:
        d = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
        np.fill_diagonal(d, np.inf)
        nearest = d.min(axis=1)
    else:
        nearest = np.full(n, np.inf)
    return np.minimum(MAX_RADIUS_KM, np.minimum(0.45 * nearest, 0.6 * to_seat))


def layout(model) -> MapLayout:
    if model in _cache:
        return _cache[model]
    pop = model.population
    centres = np.asarray(model.village_xy, float)
    radius = village_radii(centres)
    n_cells = len(model.grid_workers)
    xy = np.zeros((pop.n, 2))
    cell_centres = np.zeros((n_cells, 2))
    outlines: list = [None] * n_cells
    golden = (math.sqrt(5) - 1) / 2
    for v in range(len(centres)):
        rows = np.flatnonzero(pop.village == v)
        cells = np.unique(pop.cell[rows])
        counts = np.array([np.sum(pop.cell[rows] == c) for c in cells], float)
        edges = np.concatenate([[0.0], np.cumsum(counts) / max(1.0, counts.sum())]) * 2 * math.pi + math.pi / 2
        c0, r = centres[v], radius[v]
        for k, c in enumerate(cells):
            a0, a1 = edges[k], edges[k + 1]
            members = rows[pop.cell[rows] == c]
            # rank by the model's distance from the village office: near stays near
            dist = np.hypot(*(pop.xy[members] - c0).T)
            rank = np.empty(len(members))
            rank[np.argsort(dist, kind="stable")] = np.arange(len(members))
            rr = r * 0.95 * np.sqrt((rank + 0.5) / max(1, len(members)))
            frac = (np.arange(len(members)) * golden) % 1.0
            pad = min(0.08, 0.1 * (a1 - a0))
            ang = a0 + pad + frac * (a1 - a0 - 2 * pad)
            xy[members] = c0 + np.column_stack([rr * np.cos(ang), rr * np.sin(ang)])
            mid = (a0 + a1) / 2
            if len(cells) == 1:
                cell_centres[c] = c0 + (0.0, 0.55 * r)
                t = np.linspace(0, 2 * math.pi, ARC_POINTS + 1)
                outlines[c] = c0 + np.column_stack([r * np.cos(t), r * np.sin(t)])
            else:
                cell_centres[c] = c0 + 0.6 * r * np.array([math.cos(mid), math.sin(mid)])
                arc = np.linspace(a0, a1, max(3, int(ARC_POINTS * (a1 - a0) / (2 * math.pi)) + 2))
                outlines[c] = np.vstack([c0, c0 + np.column_stack([r * np.cos(arc), r * np.sin(arc)]), c0])
    for c in range(n_cells):  # a cell with no residents (not built by the model today) still has a shape
        if outlines[c] is None:
            outlines[c] = np.zeros((1, 2))
    out = MapLayout(xy, cell_centres, outlines, radius)
    _cache[model] = out
    return out


@dataclass(frozen=True)
class Door:
    key: str               # "service_centre" or a department id
    kind: str              # "window" (one window), "station" (vertical township) or "leftover" (beside a window)
    hosts: tuple[str, ...] # departments served behind it


def doors(model) -> list[Door]:
    """The doors a resident finds at the township seat, asked of the model's `door_for`."""
    found: dict[int, tuple] = {}
    for d in departments().values():
        if d.level != "township":
            continue
        door = model.door_for(d.id, 0)
        found.setdefault(id(door), (door, []))[1].append(d.id)
    has_window = any(door.key == "service_centre" for door, _ in found.values())
    out = [Door(door.key, "window" if door.key == "service_centre" else "leftover" if has_window else "station", tuple(h))
           for door, h in found.values()]
    return sorted(out, key=lambda d: (d.kind != "window", d.key))

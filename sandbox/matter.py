"""One matter (事项) a resident raises, and the record of its journey."""

from __future__ import annotations

from sandbox.catalogue import MatterType

OPEN, SETTLED, ABANDONED = "open", "settled", "abandoned"


class Matter:
    """A matter in progress: the steps still to clear, trips made, and where it went."""

    __slots__ = (
        "id", "type", "resident", "created", "pending", "missing", "trips", "wasted",
        "channel", "state", "status", "closed", "pushed", "next_day", "journey", "hidden", "local",
        "effort", "attempts",
    )

    def __init__(self, mid: int, mtype: MatterType, resident: int, day: int, missing: int):
        self.id = mid
        self.type = mtype
        self.resident = resident
        self.created = day
        self.pending = list(mtype.steps)
        self.missing = missing
        self.hidden = missing  # missing documents no notice lists (set when a notice is published)
        self.local = False  # a dispute the village takes on (枫桥)
        self.effort = 0.0  # mediation hours the current attempt still needs
        self.attempts = 0
        self.trips = 0
        self.wasted = 0
        self.channel = None  # counter / online / assisted / mediation
        self.state = "new"
        self.status = OPEN
        self.closed = None
        self.pushed = False
        self.next_day = day
        self.journey: list[tuple[int, str, str]] = []

    def log(self, day: int, place: str, event: str) -> None:
        """Append one stop of the journey (day, place id, event id) for 'follow one matter'."""
        self.journey.append((day, place, event))

    @property
    def days(self) -> int | None:
        return None if self.closed is None else self.closed - self.created

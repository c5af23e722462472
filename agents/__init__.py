"""Mesa agents of one township: residents, cadres, departments and grid workers."""

from sandbox.agents.cadre import Cadre
from sandbox.agents.department import Department
from sandbox.agents.grid_worker import GridWorker
from sandbox.agents.resident import Resident

__all__ = ["Cadre", "Department", "GridWorker", "Resident"]

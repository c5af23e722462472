"""Mesa agents of one township: residents, cadres, departments and grid workers."""

from agents.cadre import Cadre
from agents.department import Department
from agents.grid_worker import GridWorker
from agents.resident import Resident

__all__ = ["Cadre", "Department", "GridWorker", "Resident"]

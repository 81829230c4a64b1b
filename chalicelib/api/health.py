"""GET /health: the app answers and its tables are reachable."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.http import Call, endpoint
from chalicelib.schemas.common import Out
from chalicelib.services import health

bp = Blueprint(__name__)


class HealthOut(Out):
    """Health report."""

    status: str
    tables: int
    stage: str


@endpoint(bp, "GET", "/health", summary="Health check", tag="meta", response=HealthOut, errors=(503,))
def get_health(_call: Call) -> dict[str, Any]:
    """200 when every table answers; 503 otherwise."""
    return health.check()

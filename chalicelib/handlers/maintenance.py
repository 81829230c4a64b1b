"""Scheduled housekeeping."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Rate

from chalicelib.log import logger
from chalicelib.services import tickets

bp = Blueprint(__name__)


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="sweep_deletes")
def sweep_deletes(_event: Any) -> dict[str, int]:
    """Finish ticket deletes left half done by a crash or by the per-request reply limit."""
    done = tickets.sweep_deletes()
    if done:
        logger.info("finished pending deletes", extra={"count": done})
    return {"completed": done}

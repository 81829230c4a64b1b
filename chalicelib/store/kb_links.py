"""Learnt links between taxonomy categories and KB documents: "agents answered tickets of this category with
this article". Kept as counters in the stats table under their own partition (never read by the daily stats),
`<category>,<source>` -> how many sent replies cited it. Labels contain no commas, so a category's links are one
prefix Query.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.models import bind_models
from chalicelib.models.ops import StatModel
from chalicelib.store.db import Tx, query_once

PARTITION = "kb-links"
MAX_LINKS_READ = 100


def stage_learn(tx: Tx, category: str, sources: Iterable[str]) -> None:
    """Inside a transaction: count one more reply of `category` that cited each source."""
    for source in dict.fromkeys(sources):
        tx.update(f"kb-link:{source}", StatModel(PARTITION, f"{category},{source}"), [StatModel.value.add(1)])


def learnt_sources(category: str) -> dict[str, int]:
    """The sources agents cited for a category, with how often (one Query)."""
    bind_models()
    items, _ = query_once(StatModel, PARTITION, limit=MAX_LINKS_READ,
                          range_key_condition=StatModel.key.startswith(f"{category},"))
    return {item.key.split(",", 1)[1]: int(item.value) for item in items}

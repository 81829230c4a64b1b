"""The listing index: every entity appears once in each filtered list it belongs to.

An entity with dimensions {status, priority, requester_id, assignee_id} is written under one partition per
subset of those dimensions (16 for a ticket), so any combination of filters is a single Query on one
partition, newest first, strongly consistent, and costs the same whatever the table holds. Totals per
partition are kept in sharded counters updated in the same transaction as the items.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.config import get_settings
from chalicelib.errors import FieldError, ValidationFailed
from chalicelib.models import bind_models
from chalicelib.models.listings import CounterModel, ListingModel
from chalicelib.store import cursors
from chalicelib.store.db import Tx, batch_get

NONE_VALUE = "none"


def _value(raw: Any) -> str:
    return NONE_VALUE if raw is None else str(raw)


def partition_key(kind: str, filters: Mapping[str, Any]) -> str:
    """The partition that holds `kind` entities matching exactly these filters (None = the 'none' value)."""
    parts = [f"{name}={_value(filters[name])}" for name in sorted(filters)]
    return f"{kind}|" + "&".join(parts)


def sort_key(created_at: str, entity_id: int) -> str:
    """Creation time then zero-padded id: string order is creation order."""
    return f"{created_at}#{entity_id:015d}"


def partitions_for(kind: str, dims: Mapping[str, Any]) -> set[str]:
    """Every partition an entity with these dimension values belongs to (all subsets, the empty one included)."""
    names = sorted(dims)
    keys = set()
    for size in range(len(names) + 1):
        for subset in itertools.combinations(names, size):
            keys.add(partition_key(kind, {name: dims[name] for name in subset}))
    return keys


def _counter_name(pk: str, shard: int) -> str:
    return f"count|{pk}|{shard}"


def add_membership(tx: Tx, kind: str, entity_id: int, created_at: str, dims: Mapping[str, Any]) -> None:
    """Put the entity into every partition it belongs to and count it there."""
    change_membership(tx, kind, entity_id, created_at, old=None, new=dims)


def remove_membership(tx: Tx, kind: str, entity_id: int, created_at: str, dims: Mapping[str, Any]) -> None:
    """Take the entity out of every partition it was in."""
    change_membership(tx, kind, entity_id, created_at, old=dims, new=None)


def change_membership(
    tx: Tx,
    kind: str,
    entity_id: int,
    created_at: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
) -> None:
    """Add the transaction items that move an entity from the partitions of `old` to those of `new`."""
    bind_models()
    before = partitions_for(kind, old) if old is not None else set()
    after = partitions_for(kind, new) if new is not None else set()
    sk = sort_key(created_at, entity_id)
    shards = get_settings().tables.count_shards
    for pk in sorted(before - after):
        tx.delete(f"listing:{pk}", ListingModel(pk, sk))
        tx.update(f"count:{pk}", CounterModel(_counter_name(pk, random.randrange(shards))),
                  [CounterModel.value.add(-1)])
    for pk in sorted(after - before):
        tx.put(f"listing:{pk}", ListingModel(pk, sk, id=entity_id))
        tx.update(f"count:{pk}", CounterModel(_counter_name(pk, random.randrange(shards))),
                  [CounterModel.value.add(1)])


def count(pk: str) -> int:
    """The number of entities in a partition: one BatchGetItem over its counter shards."""
    shards = get_settings().tables.count_shards
    found = batch_get(CounterModel, [_counter_name(pk, shard) for shard in range(shards)])
    return max(0, sum(int(item.value) for item in found.values()))


@dataclass
class Page:
    """One page of ids from a partition, plus what the client needs to ask for the next one."""

    ids: list[int]
    next_cursor: str | None


_POSITION = {"sk": cursors.Field(str, 200), "page": cursors.Field(int)}


def encode_cursor(sk: str, page: int, *, scope: str) -> str:
    """A signed cursor for the listing `scope`: where the next page starts and which page number it is."""
    return cursors.encode(scope, {"sk": sk, "page": page})


def decode_cursor(cursor: str, *, scope: str) -> tuple[str, int]:
    """Read a cursor made by encode_cursor for the same listing; anything else is a 422 naming `cursor`."""
    data = cursors.decode(cursor, scope, _POSITION)
    return str(data["sk"]), int(data["page"])


def _query(pk: str, limit: int, start_sk: str | None, keys_only: bool) -> tuple[list[ListingModel], bool]:
    """Up to `limit` items after `start_sk`, and whether more follow (one extra item is read to know)."""
    last_key = {"pk": {"S": pk}, "sk": {"S": start_sk}} if start_sk else None
    results = ListingModel.query(
        pk,
        scan_index_forward=False,
        limit=limit + 1,
        page_size=limit + 1,
        last_evaluated_key=last_key,
        consistent_read=True,
        attributes_to_get=["pk", "sk"] if keys_only else None,
    )
    items = list(results)
    return items[:limit], len(items) > limit


def read_page(pk: str, *, page: int, page_size: int, cursor: str | None) -> Page:
    """The ids on one page of a partition, newest first.

    With a cursor the page starts right after it (one Query). Without one, the first (page-1)*page_size
    keys are skipped with a keys-only Query first; the skip is capped by MAX_PAGE_OFFSET so a request
    never reads more than that many small keys.
    """
    bind_models()
    start_sk: str | None = None
    if cursor is not None:
        start_sk, page = decode_cursor(cursor, scope=pk)
    elif page > 1:
        offset = (page - 1) * page_size
        limit = get_settings().tables.max_page_offset
        if offset > limit:
            raise ValidationFailed(
                f"page * page_size may not exceed {limit + page_size}; use the next_cursor of the previous page",
                [FieldError("page", f"too deep for page-number paging (offset {offset} > {limit}); use cursor")],
            )
        skipped, more = _query(pk, offset, None, keys_only=True)
        if not more:
            return Page(ids=[], next_cursor=None)
        start_sk = skipped[-1].sk
    items, more = _query(pk, page_size, start_sk, keys_only=False)
    next_cursor = encode_cursor(items[-1].sk, page + 1, scope=pk) if more and items else None
    return Page(ids=[int(item.id) for item in items], next_cursor=next_cursor)


def load_in_order(model_cls: Any, ids: list[int]) -> list[Any]:
    """Fetch entities by id (one BatchGetItem) and return them in the listing's order, skipping vanished ones."""
    found = batch_get(model_cls, ids)
    return [found[i] for i in ids if i in found]

"""Small helpers over PynamoDB: labelled transactions and bounded batch reads."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from chalicelib.models import bind_models
from chalicelib.models.listings import CounterModel

M = TypeVar("M", bound=Model)

MAX_TRANSACTION_ITEMS = 100
_CONFLICT_RETRIES = 4


class TransactionFailed(Exception):
    """A transaction was cancelled; `failed` holds the labels of the items whose condition failed."""

    def __init__(self, failed: list[str], codes: list[str]) -> None:
        super().__init__(f"transaction cancelled: {', '.join(failed) or 'unknown'} ({', '.join(codes)})")
        self.failed = failed
        self.codes = codes


def connection() -> Connection:
    """The low-level PynamoDB connection (cached with the models' own) for multi-table transactions."""
    bind_models()
    return CounterModel._get_connection().connection


def query_once(
    model_cls: type[M],
    hash_key: Any,
    *,
    limit: int,
    start_key: dict[str, Any] | None = None,
    filter_condition: Condition | None = None,
    forward: bool = True,
    keys_only: bool = False,
    range_key_condition: Condition | None = None,
) -> tuple[list[M], dict[str, Any] | None]:
    """Exactly one Query call: up to `limit` items (fewer after a filter) and the LastEvaluatedKey."""
    bind_models()
    response = model_cls._get_connection().query(
        hash_key,
        range_key_condition=range_key_condition,
        filter_condition=filter_condition,
        consistent_read=True,
        exclusive_start_key=start_key,
        limit=limit,
        scan_index_forward=forward,
        attributes_to_get=[a.attr_name for a in (model_cls._hash_key_attribute(), model_cls._range_key_attribute())
                           if a is not None] if keys_only else None,
    )
    items = [model_cls.from_raw_data(raw) for raw in response.get("Items", [])]
    return items, response.get("LastEvaluatedKey")


class Tx:
    """Collects the items of one TransactWriteItems call, each with a label to explain a cancellation.

    PynamoDB sends condition checks, deletes, puts and updates in that order, so labels are kept per kind
    and cancellation reasons (which follow the sent order) are mapped back through the same order.
    """

    def __init__(self) -> None:
        # One ClientRequestToken per logical transaction, sent on every attempt: DynamoDB applies a
        # TransactWriteItems whose response was lost and that is sent again with the same token only once.
        self.token = str(uuid.uuid4())
        self._checks: list[tuple[str, Any]] = []
        self._deletes: list[tuple[str, Any]] = []
        self._puts: list[tuple[str, Any]] = []
        self._updates: list[tuple[str, Any]] = []
        self._after_commit: list[Callable[[], Any]] = []

    def after_commit(self, action: Callable[[], Any]) -> None:
        """Run `action` once the transaction committed (e.g. send the queue message an outbox promise names)."""
        self._after_commit.append(action)

    def __len__(self) -> int:
        return len(self._checks) + len(self._deletes) + len(self._puts) + len(self._updates)

    def check(self, label: str, model_cls: type[Model], hash_key: Any, condition: Condition,
              range_key: Any = None) -> None:
        """Require `condition` on an item without writing it."""
        self._checks.append((label, (model_cls, hash_key, range_key, condition)))

    def put(self, label: str, item: Model, condition: Condition | None = None) -> None:
        """Write a whole item (with its version check when it has a version attribute)."""
        self._puts.append((label, (item, condition)))

    def delete(self, label: str, item: Model, condition: Condition | None = None,
               add_version_condition: bool = True) -> None:
        """Delete an item."""
        self._deletes.append((label, (item, condition, add_version_condition)))

    def update(self, label: str, item: Model, actions: list[Action], condition: Condition | None = None,
               add_version_condition: bool = True) -> None:
        """Apply update actions to an item (bumping its version attribute, if it has one)."""
        self._updates.append((label, (item, None, actions, condition, add_version_condition)))

    def update_fields(self, label: str, model_cls: type[Model], hash_key: Any, actions: list[Action],
                      condition: Condition | None = None, range_key: Any = None) -> None:
        """Apply update actions to an item by key, leaving its version attribute alone."""
        self._updates.append((label, (None, (model_cls, hash_key, range_key), actions, condition, False)))

    def labels(self) -> list[str]:
        """Labels in the order DynamoDB receives the items."""
        return [label for group in (self._checks, self._deletes, self._puts, self._updates) for label, _ in group]

    def commit(self) -> None:
        """Send the transaction, retrying only on transaction conflicts; raise TransactionFailed otherwise."""
        if len(self) == 0:
            return
        if len(self) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} items, got {len(self)}")
        retrying = Retrying(retry=retry_if_exception(_is_conflict), stop=stop_after_attempt(_CONFLICT_RETRIES + 1),
                            wait=wait_random_exponential(multiplier=0.02, max=0.8), reraise=True)
        try:
            retrying(self._send)
        except TransactWriteError as exc:
            reasons = _reasons(exc)
            if not reasons:
                raise
            labels = self.labels()
            failed = [labels[i] for i, r in enumerate(reasons) if r is not None and r.code != "None"]
            raise TransactionFailed(failed, [r.code if r else "None" for r in reasons]) from exc
        for _, (item, *_rest) in self._puts + self._updates:
            if item is not None:
                item.update_local_version_attribute()
        for action in self._after_commit:
            action()

    def _send(self) -> None:
        conn = connection()
        checks = [m.get_operation_kwargs_from_class(h, range_key=r, condition=c) for _, (m, h, r, c) in self._checks]
        deletes = [
            item.get_delete_kwargs_from_instance(condition=c, add_version_condition=v)
            for _, (item, c, v) in self._deletes
        ]
        puts = [item.get_save_kwargs_from_instance(condition=c) for _, (item, c) in self._puts]
        updates = [
            item.get_update_kwargs_from_instance(actions=list(a), condition=c, add_version_condition=v)
            if item is not None else _update_by_key(key, list(a), c)
            for _, (item, key, a, c, v) in self._updates
        ]
        conn.transact_write_items(condition_check_items=checks, delete_items=deletes, put_items=puts,
                                  update_items=updates, client_request_token=self.token)


def _reasons(exc: TransactWriteError) -> list[Any]:
    return list(exc.cancellation_reasons) if exc.cause_response_code == "TransactionCanceledException" else []


def _is_conflict(exc: BaseException) -> bool:
    """A cancellation caused only by contention (another transaction, throttling): worth sending again."""
    if not isinstance(exc, TransactWriteError):
        return False
    return any(r is not None and r.code in ("TransactionConflict", "ThrottlingError") for r in _reasons(exc))


def _update_by_key(key: tuple[type[Model], Any, Any], actions: list[Action], condition: Condition | None) -> Any:
    model_cls, hash_key, range_key = key
    serialized_hash, serialized_range = model_cls._serialize_keys(hash_key, range_key)
    return model_cls._get_connection().get_operation_kwargs(serialized_hash, range_key=serialized_range,
                                                            actions=actions, condition=condition)


def set_actions(model_cls: type[Model], values: dict[str, Any]) -> list[Any]:
    """UpdateItem actions that write exactly these attributes (None removes one)."""
    attributes = model_cls.get_attributes()
    return [attributes[name].remove() if value is None else attributes[name].set(value)
            for name, value in values.items()]


def update_fields(model_cls: type[Model], hash_key: Any, actions: list[Action], condition: Condition | None = None,
                  range_key: Any = None) -> None:
    """One UpdateItem by key that leaves the version attribute alone."""
    bind_models()
    serialized_hash, serialized_range = model_cls._serialize_keys(hash_key, range_key)
    model_cls._get_connection().update_item(serialized_hash, range_key=serialized_range, actions=actions,
                                            condition=condition)


def batch_get(model_cls: type[M], keys: Sequence[Any], consistent: bool = True) -> dict[Any, M]:
    """Fetch items by hash key in as few BatchGetItem calls as the 100-key limit allows; absent keys are skipped."""
    bind_models()
    if not keys:
        return {}
    found: dict[Any, M] = {}
    hash_name = model_cls._hash_key_attribute().attr_name
    for item in model_cls.batch_get(list(dict.fromkeys(keys)), consistent_read=consistent):
        found[getattr(item, hash_name)] = item
    return found


def chunked(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    """Split an iterable into lists of at most `size` items."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch

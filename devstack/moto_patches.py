"""Fixes to moto's DynamoDB, so that local runs behave like DynamoDB (and cost what it costs as tables grow).

moto 5.2.5 makes TransactWriteItems roll back by deep-copying every table the transaction touches before
it starts. That costs time proportional to the table size (0.5 s per transaction at a few thousand
tickets, where DynamoDB stays flat), and a rollback restores the whole copy, silently undoing writes that
other requests made in the meantime. This replacement keeps an undo log of just the touched items and
serialises writes with one lock, so a transaction is atomic and its cost does not grow with the table.

moto's Query on a table's primary key also walks every item of the table and keeps those of the asked
partition; DynamoDB reads only that partition. With 16 listing rows per ticket, a list page at 10,000 tickets
cost seconds locally. `query` below hands moto just the asked partition (same filtering, sorting and paging
code after that), so a Query costs what the partition holds. Queries on indexes keep moto's own path.
Applied only by the local stack and the tests (devstack is never deployed).
"""

from __future__ import annotations

import decimal
import functools
import re
import threading
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

_WRITE_LOCK = threading.RLock()
_applied = False
_original_query = Table.query
_original_all_items = Table.all_items
_query_scope = threading.local()


class _ConditionFailed(Exception):
    def __init__(self, item: dict[str, Any] | None) -> None:
        super().__init__("The conditional request failed")
        self.item = item


def _key_of(backend: DynamoDBBackend, table_name: str, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(table_name)
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def _snapshot(backend: DynamoDBBackend, table_name: str, key: dict[str, Any]) -> dict[str, Any] | None:
    current = backend.get_item(table_name, key)
    return current.to_json()["Attributes"] if current is not None else None


def _restore(backend: DynamoDBBackend, undo: list[tuple[str, dict[str, Any], dict[str, Any] | None]]) -> None:
    for table_name, key, before in reversed(undo):
        if before is None:
            backend.delete_item(table_name, key)
        else:
            backend.put_item(table_name, before, overwrite=True)


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """TransactWriteItems with an item-level undo log (same semantics and errors as moto's own)."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with _WRITE_LOCK:
        seen: set[tuple[str, str]] = set()
        undo: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
        errors: list[tuple[Any, Any, Any]] = []
        try:
            for item in transact_items:
                if len(item) > 1:
                    raise TransactWriteSingleOpException
                op_type, op = next(iter(item.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                key = _key_of(self, table_name, op_type, op)
                marker = (str(table_name), str(dict(sorted(key.items()))))
                if marker in seen:
                    raise MultipleTransactionsException()
                seen.add(marker)
                try:
                    self._apply_transaction_op(op_type, op, table_name, key, undo)  # type: ignore[attr-defined]
                    errors.append((None, None, None))
                except _ConditionFailed as failed:
                    errors.append(("ConditionalCheckFailed", "The conditional request failed", failed.item))
                except (MultipleTransactionsException, MockValidationException):
                    raise
                except Exception as exc:  # noqa: BLE001 - reported per item, as moto does
                    errors.append((type(exc).__name__, str(exc), None))
        except (MultipleTransactionsException, MockValidationException, TransactWriteSingleOpException):
            _restore(self, undo)
            raise
        if any(code is not None for code, _, _ in errors):
            _restore(self, undo)
            raise TransactionCanceledException(errors)


def _apply_transaction_op(self: DynamoDBBackend, op_type: str, op: dict[str, Any], table_name: str,
                          key: dict[str, Any], undo: list[Any]) -> None:
    names = op.get("ExpressionAttributeNames")
    values = op.get("ExpressionAttributeValues")
    condition = op.get("ConditionExpression")
    current = self.get_item(table_name, key)
    if condition is not None:
        if not get_filter_expression(condition, names, values).expr(current):
            wants_old = op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
            raise _ConditionFailed(current.to_json()["Attributes"] if wants_old and current else None)
    if op_type == "ConditionCheck":
        return
    undo.append((table_name, key, _snapshot(self, table_name, key)))
    if op_type == "Update" and _add_number(self, table_name, key, current, op):
        return
    if op_type == "Put":
        self.put_item(table_name, op["Item"], overwrite=True)
    elif op_type == "Delete":
        self.delete_item(table_name, key)
    else:
        self.update_item(table_name, key, update_expression=op["UpdateExpression"],
                         expression_attribute_names=names, expression_attribute_values=values)


_ADD_NUMBER = re.compile(r"^\s*ADD\s+(#\w+)\s+(:\w+)\s*$")


def _add_number(self: DynamoDBBackend, table_name: str, key: dict[str, Any], current: Any, op: dict[str, Any]) -> bool:
    """`ADD #n :v` on a number, done directly (moto parses and validates every update expression, which makes
    counter-heavy transactions ~10x slower than the rest). Returns False for anything else."""
    match = _ADD_NUMBER.match(op.get("UpdateExpression", ""))
    if not match:
        return False
    name = (op.get("ExpressionAttributeNames") or {}).get(match.group(1))
    value = (op.get("ExpressionAttributeValues") or {}).get(match.group(2))
    if not name or not isinstance(value, dict) or set(value) != {"N"}:
        return False
    attributes = current.to_json()["Attributes"] if current is not None else dict(key)
    existing = attributes.get(name)
    if existing is not None and set(existing) != {"N"}:
        return False  # let moto report the type error
    total = decimal.Decimal(existing["N"] if existing else "0") + decimal.Decimal(value["N"])
    attributes[name] = {"N": str(total)}
    self.put_item(table_name, attributes, overwrite=True)
    return True


def _all_items(self: Table) -> list[Any]:
    scope = getattr(_query_scope, "partition", None)
    if scope is not None and scope[0] is self:
        return list(scope[1])
    return _original_all_items(self)


def _query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if index_name or hash_key is None or not self.has_range_key:
        return _original_query(self, hash_key, *args, **kwargs)
    partition = self.items.get(hash_key) or {}
    _query_scope.partition = (self, list(partition.values()))
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        _query_scope.partition = None


def _locked(method: Any) -> Any:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _WRITE_LOCK:
            return method(*args, **kwargs)

    return wrapper


def apply() -> None:
    """Install the patches once per process."""
    global _applied
    if _applied:
        return
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    DynamoDBBackend._apply_transaction_op = _apply_transaction_op  # type: ignore[attr-defined]
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]
    for name in ("put_item", "update_item", "delete_item", "batch_write_item"):
        setattr(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name)))
    _applied = True

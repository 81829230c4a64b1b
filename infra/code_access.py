"""Which tables, buckets and queues a Lambda function's code can reach, read from the source (no import of the app).

A call graph over the `chalicelib` package, built from the AST: starting at a function, every name its body
uses is followed to what it refers to (a function or class of the same module, something imported at module level
or inside a function, a module-level constant), and a module attribute (`tickets.sweep_deletes`) to that
function of that module. Reaching a PynamoDB model class means its table; a string literal naming a table, bucket
or queue (`table_name("idempotency")`, `queue_name("classify")`) means that resource. The result errs on the
side of more: a function reached through any path counts, whether it runs or not. The least-privilege test
compares each role with this (infra/tests/test_template.py).
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PACKAGE = "chalicelib"
MODELS_PACKAGE = "chalicelib.models"
KINDS = ("table", "bucket", "queue")
EVERY_MODEL = "all_models"  # whoever calls it may touch every model's table (health)


def _kind(label: str) -> str | None:
    label = label.lower()
    return next((kind for kind in KINDS if kind in label), None)


def _named_strings(node: ast.AST) -> list[tuple[str, str]]:
    """(kind, literal) for string literals given to something named like a queue, bucket or table."""
    out = []
    for child in ast.walk(node):
        labels: list[str] = []
        values: list[ast.expr] = []
        if isinstance(child, ast.Call):
            func = child.func
            labels = [func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""]
            values = [*child.args, *(k.value for k in child.keywords)]
            labels += [k.arg or "" for k in child.keywords]
        elif isinstance(child, ast.Assign | ast.AnnAssign) and child.value is not None:
            targets = child.targets if isinstance(child, ast.Assign) else [child.target]
            labels = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            values = [child.value]
        kinds = {k for k in map(_kind, labels) if k}
        for value in values:
            for constant in ast.walk(value):
                if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                    out += [(kind, constant.value) for kind in kinds]
    return out


@dataclass
class Reached:
    """What a function can reach."""

    tables: set[str] = field(default_factory=set)
    # String literals by the kind of resource they name: "queue" for `queue_name("classify")`, "bucket" for
    # `UPLOADS_BUCKET = "kb-uploads"`, "table" for `table_name("idempotency")`.
    names: dict[str, set[str]] = field(default_factory=lambda: {kind: set() for kind in KINDS})
    functions: set[tuple[str, str]] = field(default_factory=set)


@cache
def _source(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


@cache
def _parse(module: str) -> ast.Module | None:
    path = _source(module)
    return ast.parse(path.read_text(encoding="utf-8")) if path else None


def _imports(nodes: list[ast.stmt] | ast.AST) -> dict[str, tuple[str, str | None]]:
    """Local name -> (module, attribute or None for a module), for the package's own imports."""
    out: dict[str, tuple[str, str | None]] = {}
    for node in ast.walk(nodes) if isinstance(nodes, ast.AST) else [n for s in nodes for n in ast.walk(s)]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE):
                    out[alias.asname or alias.name.split(".")[0]] = (alias.name, None)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if _source(submodule):
                    out[alias.asname or alias.name] = (submodule, None)
                else:
                    out[alias.asname or alias.name] = (node.module, alias.name)
    return out


@cache
def _definitions(module: str) -> dict[str, ast.AST]:
    """Top-level functions, classes and assignments of a module, by name."""
    tree = _parse(module)
    defs: dict[str, ast.AST] = {}
    for node in tree.body if tree else []:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defs[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        defs[name.id] = node
    return defs


@cache
def _module_imports(module: str) -> dict[str, tuple[str, str | None]]:
    tree = _parse(module)
    return _imports([n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]) if tree else {}


def _resolve(module: str, name: str) -> tuple[str, str] | None:
    """Follow a re-export (`from chalicelib.x import y` in a package's __init__) to where `name` is defined."""
    seen = set()
    while (module, name) not in seen:
        seen.add((module, name))
        if name in _definitions(module):
            return module, name
        target = _module_imports(module).get(name)
        if target is None or target[1] is None:
            return None
        module, name = target[0], target[1]
    return None


def reach(module: str, function: str, models: dict[str, str]) -> Reached:
    """Everything `module.function` can reach; `models` maps model class names to their tables."""
    reached = Reached()
    todo = [(module, function)]
    while todo:
        current = todo.pop()
        if current in reached.functions:
            continue
        reached.functions.add(current)
        mod, name = current
        node = _definitions(mod).get(name)
        if node is None:
            continue
        if mod.startswith(MODELS_PACKAGE) and name in models:
            reached.tables.add(models[name])
            continue
        if mod.startswith(MODELS_PACKAGE) and name == EVERY_MODEL:
            reached.tables |= set(models.values())
        local = _imports(node)  # a function's own imports shadow the module's names
        names = {**_module_imports(mod), **local}
        body: ast.AST = node
        if current == (module, function) and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            # The entry's own decorators register it (its source queue, its route), they do not run with it.
            body = ast.Module(body=node.body, type_ignores=[])
        for kind, literal in _named_strings(body):
            reached.names[kind].add(literal)
        for child in ast.walk(body):
            if isinstance(child, ast.Name):
                if child.id in _definitions(mod) and child.id not in local:
                    todo.append((mod, child.id))
                elif child.id in names:
                    target_module, attribute = names[child.id]
                    if attribute is not None:
                        resolved = _resolve(target_module, attribute)
                        if resolved:
                            todo.append(resolved)
            elif isinstance(child, ast.Attribute) and isinstance(child.value, ast.Name):
                target = names.get(child.value.id)
                if target and target[1] is None:
                    resolved = _resolve(target[0], child.attr)
                    if resolved:
                        todo.append(resolved)
    return reached


def resources_of(entries: list[str], models: dict[str, str], tables: set[str], buckets: set[str],
                 queues: set[str]) -> dict[str, set[str]]:
    """Tables, buckets and queues (by logical name) reached from entry points given as `package.module.function`."""
    out: dict[str, set[str]] = {"tables": set(), "buckets": set(), "queues": set()}
    for entry in entries:
        module, function = entry.rsplit(".", 1)
        reached = reach(module, function, models)
        out["tables"] |= reached.tables | (reached.names["table"] & tables)
        out["buckets"] |= reached.names["bucket"] & buckets
        out["queues"] |= reached.names["queue"] & queues
    return out

"""Every bulk write to a model the office snapshots count renews the snapshots itself (tasks_app.snapshots).

``QuerySet.update``, ``bulk_create`` and ``bulk_update`` send no model signals, so a function that calls one of
them on a counted model must also call ``plans_changed`` / ``everything_changed`` — or be listed below with the
reason it need not. A new bulk write path fails here until its author has decided which."""

from __future__ import annotations

import ast
from pathlib import Path

from tasks_app.snapshots import PLAN_MODELS

ROOT = Path(__file__).resolve().parents[1] / "tasks_app"
COUNTED = {model.__name__ for model in PLAN_MODELS} | {"Report", "Unit"}
BULK = {"update", "bulk_create", "bulk_update"}
RENEW = {"plans_changed", "everything_changed"}

# (file, function): why its bulk write needs no renewal of its own
EXEMPT = {
    ("importing.py", "_sync_sections"): "called only by document_import, which renews the plan at its end",
    ("importing.py", "_sync_items"): "called only by document_import, which renews the plan at its end",
    ("importing.py", "_write_children"): "called only by document_import (via _sync_items), which renews the plan",
    (
        "services/suggestion_review.py",
        "suggestion_accept",
    ): "moves updated_at only; the assignment it creates is a save",
}


def _model_of(call: ast.Call) -> str | None:
    """The model a ``Model.objects…bulk()`` chain starts from (None when it starts elsewhere)."""
    node: ast.AST = call.func
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _bulk_writers() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            calls = [n for n in ast.walk(function) if isinstance(n, ast.Call)]
            names = {c.func.id if isinstance(c.func, ast.Name) else getattr(c.func, "attr", "") for c in calls}
            for call in calls:
                if isinstance(call.func, ast.Attribute) and call.func.attr in BULK and _model_of(call) in COUNTED:
                    if not names & RENEW:
                        found.append((str(path.relative_to(ROOT)), function.name, _model_of(call) or ""))
    return found


def test_it_finds_the_bulk_writes_it_guards():
    """The scan sees real bulk writes (a scan that found nothing would pass for the wrong reason)."""
    writers = {(path, function) for path, function, _ in _bulk_writers()}
    assert ("importing.py", "_sync_items") in writers


def test_it_renews_the_snapshots_after_every_bulk_write_of_a_counted_model():
    unexplained = sorted({(p, f, m) for p, f, m in _bulk_writers() if (p, f) not in EXEMPT})
    assert unexplained == [], "renew the snapshots (plans_changed) or explain the exemption in EXEMPT"


def test_it_keeps_no_stale_exemption():
    writers = {(path, function) for path, function, _ in _bulk_writers()}
    assert sorted(set(EXEMPT) - writers) == []

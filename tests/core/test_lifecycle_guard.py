"""The one writer of lifecycle status fields is ``core.transitions`` (CON-1 and every other machine).

An AST scan of every non-migration, non-test module: assigning ``<obj>.status``, ``setattr(obj,
"status", ...)``, ``.update(status=...)`` / ``.update(**{"status": ...})`` or ``bulk_update(...,
["status"])`` outside ``core/transitions.py`` fails here unless the receiver is a model without a
state machine (``JobRun.objects....update(status=...)``) or the place is listed in ``ALLOWED`` with
the reason. Every model with a lifecycle status must also declare its machine.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

from core.transitions import StateMachine

ROOT = Path(__file__).resolve().parents[2]
MACHINE_MODULES = [
    "accounts.lifecycles",
    "messaging.lifecycles",
    "contracts.lifecycle",
    "billing.lifecycles",
    "sla.lifecycles",
    "privacy.lifecycles",
]
SKIP_DIRS = {"tests", "migrations", ".venv", ".mutation", "node_modules", ".git", "static", "locale"}
WRITER = "core/transitions.py"

#: (file or package path prefix, enclosing function): why a status write there is not a lifecycle move.
ALLOWED: dict[tuple[str, str], str] = {
    ("core/jobs.py", "_claim"): "JobRun claim (the job runner's own row, no lifecycle machine)",
    ("messaging/lifecycles.py", "move_messages"): (
        "the declared bulk writer of Message (MSG-6): moves only rows whose status MESSAGE allows"
    ),
    ("messaging/lifecycles.py", "move_messages_each"): (
        "the declared bulk writer of Message (MSG-6): moves only rows whose status MESSAGE allows"
    ),
    ("messaging/services/dispatch.py", "_hand_over"): (
        "sets the outcome on in-memory rows that move_messages_each then writes under MESSAGE's table"
    ),
    ("messaging/services/results.py", "_record_chunk"): (
        "sets the outcome on in-memory rows that move_messages_each then writes under MESSAGE's table"
    ),
    ("sla/services/credits.py", "credit_pay"): (
        "SlaMonth.status is the month's credit outcome derived from its figures (history keeps revisions)"
    ),
    ("sla/services/credits.py", "month_recompute"): (
        "SlaMonth.status is the month's credit outcome derived from its figures (history keeps revisions)"
    ),
    ("messaging/providers/solapi.py", "__init__"): (
        "SolapiRefused.status is the HTTP status of a refused request, not a lifecycle status"
    ),
    ("contracts/admin", "save_model"): (
        "copies the draft policy_create made onto the admin's form object for the redirect; nothing is saved"
    ),
}

APPS = {"core", "accounts", "messaging", "contracts", "billing", "sla", "privacy"}

#: Every model with a lifecycle status (a ``status`` field with choices) and its machine's rule.
LIFECYCLE_MODELS = {
    "accounts.Customer": "ACC-1",
    "accounts.Member": "ACC-10",
    "accounts.CustomerChangeRequest": "ACC-9",
    "accounts.SuccessionRequest": "ACC-8",
    "messaging.Notice": "MSG-6",
    "contracts.Contract": "CON-1",
    "contracts.Policy": "TRM-1",
    "billing.Invoice": "BIL-7",
    "billing.Payment": "BIL-7",
    "billing.BankTransaction": "BIL-7",
    "billing.TaxInvoice": "BIL-18",
    "billing.DunningCase": "DUN-1",
    "billing.Dispute": "BIL-10",
    "billing.Refund": "BIL-11",
    "messaging.Message": "MSG-6",
    "messaging.SenderNumber": "MSG-4",
    "messaging.KakaoTemplate": "MSG-2a",
    "sla.Incident": "SLA-1",
    "sla.MaintenanceWindow": "SLA-2",
    "sla.SlaClaim": "SLA-5",
    "privacy.ExportRequest": "DAT-1",
    "privacy.DeletionRequest": "DAT-4",
}


def machines() -> list[StateMachine]:
    found = []
    for name in MACHINE_MODULES:
        module = importlib.import_module(name)
        found += [v for v in vars(module).values() if isinstance(v, StateMachine)]
    return found


def model_machine(model: type[models.Model]) -> StateMachine | None:
    """The machine whose choices class is the model's status choices (``Model.Status``/``<Model>Status``)."""
    for machine in machines():
        if (
            machine.choices is getattr(model, "Status", None)
            or machine.choices.__name__ == f"{model.__name__}Status"
        ):
            return machine
    return None


def _fields() -> set[str]:
    return {m.field for m in machines()}


def _root_name(node: ast.AST) -> str | None:
    """The name a call chain starts from: ``Invoice`` for ``Invoice.objects.filter(...).update``."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        else:
            return node.id if isinstance(node, ast.Name) else None


def _model_named(name: str | None) -> type[models.Model] | None:
    if not name:
        return None
    for model in apps.get_models():
        if model.__name__ == name:
            return model
    return None


def _targets(node: ast.AST) -> Iterator[ast.AST]:
    if isinstance(node, ast.Tuple | ast.List):
        for elt in node.elts:
            yield from _targets(elt)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def _writes_status_kw(call: ast.Call, fields: set[str]) -> bool:
    for kw in call.keywords:
        if kw.arg in fields:
            return True
        if (
            kw.arg is None
            and isinstance(kw.value, ast.Dict)
            and any(isinstance(k, ast.Constant) and k.value in fields for k in kw.value.keys)
        ):
            return True
    return False


def status_writes(source: str, fields: set[str]) -> list[tuple[int, str, str]]:
    """(line, enclosing function, what) for each write of a status field in ``source``."""
    found: list[tuple[int, str, str]] = []

    def visit(node: ast.AST, func: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            func = node.name
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for t in _targets(target):
                    if isinstance(t, ast.Attribute) and t.attr in fields:
                        found.append((node.lineno, func, f".{t.attr} ="))
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "setattr" and len(node.args) >= 2:
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and arg.value in fields:
                    found.append((node.lineno, func, "setattr"))
            if name == "update" and _writes_status_kw(node, fields):
                model = _model_named(_root_name(node.func))
                if model is None or model_machine(model) is not None:
                    found.append((node.lineno, func, ".update(status=...)"))
            if name == "bulk_update" and len(node.args) >= 2:
                listed = node.args[1]
                if isinstance(listed, ast.List | ast.Tuple | ast.Set) and any(
                    isinstance(e, ast.Constant) and e.value in fields for e in listed.elts
                ):
                    found.append((node.lineno, func, "bulk_update([status])"))
        for child in ast.iter_child_nodes(node):
            visit(child, func)

    visit(ast.parse(source), "<module>")
    return found


def _defined_here(model: type[models.Model]) -> bool:
    """The model's module is a file of this tree (the shared virtualenv may resolve a missing module from
    another checkout)."""
    return Path(sys.modules[model.__module__].__file__ or "").resolve().is_relative_to(ROOT)


def project_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS & set(rel.parts[:-1]):
            continue
        yield path


def test_scanner_sees_every_form_of_status_write() -> None:
    """CON-1: the guard catches direct assignments, tuple assignments, setattr, update and bulk_update."""
    source = """
def f(obj, qs):
    obj.status = "paid"
    obj.x, obj.status = 1, "paid"
    setattr(obj, "status", "paid")
    qs.update(status="paid")
    qs.filter(a=1).update(**{"status": "paid"})
    Invoice.objects.filter(pk=1).update(status="paid")
    Invoice.objects.bulk_update([obj], ["status"])
    JobRun.objects.filter(pk=1).update(status="failed")
    obj.note = "fine"
    qs.update(note="fine")
"""
    lines = [line for line, _, _ in status_writes(source, {"status"})]
    assert lines == [3, 4, 5, 6, 7, 8, 9]


@pytest.mark.parametrize("label", sorted(LIFECYCLE_MODELS))
def test_every_lifecycle_model_declares_its_machine(label: str) -> None:
    """CON-1, TRM-1, ACC-1, ACC-8..10, MSG-6, BIL-7, BIL-10, BIL-11, BIL-18, DUN-1: one machine each."""
    machine = model_machine(apps.get_model(label))
    assert machine is not None, f"{label} has no StateMachine in {MACHINE_MODULES}"
    assert machine.rule == LIFECYCLE_MODELS[label]


def test_no_model_with_a_status_field_is_left_without_a_machine() -> None:
    """CON-1: a new model with status choices gets a machine (or is named here as not a lifecycle)."""
    not_lifecycles = {
        "core.JobRun",
        "core.JobBatch",  # the job runner's batch of a run (issue 19), like JobRun: no lifecycle machine
        "sla.IncidentUpdate",  # the incident's status at the time of a timeline entry (a log row)
        "sla.SlaMonth",  # a month's credit outcome derived from its figures, not a lifecycle
        "billing.CardRefund",  # the PG's answer for one part of a refund; its Refund is the lifecycle
    }
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in APPS
        and any(f.name == "status" and f.choices for f in model._meta.concrete_fields)
        and model._meta.label not in not_lifecycles
        and _defined_here(model)
        and not model._meta.label.split(".")[1].startswith("Historical")
        and model_machine(model) is None
    ]
    assert missing == []


def test_only_core_transitions_writes_a_lifecycle_status() -> None:
    """CON-1 (and every machine's rule): no code outside core/transitions.py writes a status field."""
    fields = _fields()
    offending = []
    for path in project_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel == WRITER:
            continue
        for line, func, what in status_writes(path.read_text(encoding="utf-8"), fields):
            if not any(rel.startswith(prefix) and func == name for prefix, name in ALLOWED):
                offending.append(f"{rel}:{line} in {func}: {what}")
    assert offending == []

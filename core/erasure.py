"""The one primitive each app's erasure service uses to destroy a customer's rows for real (DAT-2, DAT-3).

Core knows no app: the caller names its own tables and passes the customer model. The rows of every
given table are found through its foreign-key paths to the customer (collected first, since the paths
run through rows that are about to go), then deleted directly; PostgreSQL checks the foreign keys,
which Django creates ``DEFERRABLE INITIALLY DEFERRED``, at commit, when the whole customer is gone. So
the purge job calls the apps from the top down inside one transaction. The status log and admin log
rows of deleted objects and their stored files go too (the files after commit).

Rows the law keeps in place (DAT-3) are passed as ``keep`` and anonymised by their app with
:func:`scrub_rows`; on their own date :func:`erase_rows` deletes exactly those rows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .models import StatusTransition

#: Foreign-key hops followed from a table to the customer.
MAX_DEPTH = 3


def customer_paths(
    model: type[models.Model], customer_model: type[models.Model], depth: int = MAX_DEPTH
) -> list[str]:
    """Lookup paths from ``model`` to ``customer_model`` through foreign keys (up to ``depth`` hops)."""
    return _paths(model, customer_model, depth, ())


def _paths(
    model: type[models.Model], target: type[models.Model], depth: int, seen: tuple[type[models.Model], ...]
) -> list[str]:
    out: list[str] = []
    for field in model._meta.get_fields():
        if not (field.many_to_one or (field.one_to_one and field.concrete)):
            continue
        related = field.related_model
        if related is target:
            out.append(field.name)
        elif depth > 1 and isinstance(related, type) and related not in seen and related is not model:
            assert issubclass(related, models.Model)
            if related._meta.app_label in ("auth", "contenttypes"):
                continue
            out.extend(f"{field.name}__{p}" for p in _paths(related, target, depth - 1, (*seen, model)))
    return out


def customer_rows(
    model: type[models.Model], customer_model: type[models.Model], customer_id: int
) -> models.QuerySet:
    """The rows of ``model`` that belong to the customer (through any of its paths).

    With several paths each is read on its own and the keys joined (issue 16: one ``WHERE a = %s OR
    join.b = %s`` across a join cannot use either index, so the purge scanned the whole notice table once
    per customer, about a second each at 100,000 contracts)."""
    paths = customer_paths(model, customer_model)
    manager = model._base_manager
    if not paths:
        return manager.none()
    if len(paths) == 1:
        return manager.filter(**{paths[0]: customer_id})
    pks: set[Any] = set()
    for path in paths:
        pks.update(manager.filter(**{path: customer_id}).values_list("pk", flat=True))
    return manager.filter(pk__in=sorted(pks))


def customers_with_rows(
    tables: Iterable[type[models.Model]], *, customer_model: type[models.Model], customer_ids: Collection[Any]
) -> set[Any]:
    """Which of ``customer_ids`` still have a row in any of ``tables`` (through any path), in one query: a
    ``UNION`` of one indexed read per table and path (issue 16: the purge's check of what is left)."""
    ids = list(customer_ids)
    reads = [
        model._base_manager.filter(**{f"{path}__in": ids}).order_by().values_list(path, flat=True)
        for model in tables
        for path in customer_paths(model, customer_model)
    ]
    if not ids or not reads:
        return set()
    first, *rest = reads
    return set(first.union(*rest))


def erase_customer_rows(
    tables: Iterable[type[models.Model]],
    *,
    customer_model: type[models.Model],
    customer_id: int,
    keep: Mapping[str, Iterable[int]] | None = None,
) -> dict[str, int]:
    """Delete the customer's rows in ``tables`` (one app's own); return rows per table label.

    ``keep`` names rows that stay (table label → primary keys): the records the law keeps in place
    (DAT-3), scrubbed by their app first. Call inside the purge's transaction. Idempotent: a second
    call finds nothing.
    """
    keep = keep or {}
    targets = []
    for model in tables:
        kept = set(keep.get(model._meta.label, ()))
        pks = [
            pk
            for pk in customer_rows(model, customer_model, customer_id).values_list("pk", flat=True)
            if pk not in kept
        ]
        if pks:
            targets.append((model, pks))
    rows: dict[str, int] = {}
    for model, pks in targets:
        rows[model._meta.label] = erase_rows(model, pks)
    return rows


def erase_rows(model: type[models.Model], pks: Iterable[Any]) -> int:
    """Delete these rows of ``model`` for real with their status log, admin log and stored files (the
    files after commit); return how many rows went. The caller holds the transaction (DAT-3: a kept
    record deleted on its own date)."""
    pks = list(pks)
    if not pks:
        return 0
    files: list[tuple[Any, str]] = []
    file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    if file_fields:
        for obj in model._base_manager.filter(pk__in=pks):
            for f in file_fields:
                stored = getattr(obj, f.name)
                if stored:
                    files.append((stored.storage, stored.name))
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    StatusTransition.objects.filter(content_type=content_type, object_id__in=pks).delete()
    LogEntry.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in pks]).delete()
    qs = model._base_manager.filter(pk__in=pks)
    deleted = int(qs._raw_delete(qs.db))
    if files:
        transaction.on_commit(lambda: _delete_files(files))
    return deleted


#: What an irreversibly anonymised text or actor label becomes (DAT-3).
SCRUBBED = ""
SCRUBBED_ACTOR = "member:purged"


def scrub_rows(model: type[models.Model], pks: Iterable[Any], values: Mapping[str, Any]) -> int:
    """Overwrite the personal fields of rows that stay (DAT-3: kept in place, anonymised); return rows.

    ``values`` is field → new value (``None`` for a reference to a person that is destroyed). A plain
    ``UPDATE``: no history row keeps the old values.
    """
    pks = list(pks)
    if not pks:
        return 0
    if values:
        model._base_manager.filter(pk__in=pks).update(**values)
    return len(pks)


def _delete_files(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        storage.delete(name)

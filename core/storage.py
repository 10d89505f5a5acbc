"""File storage for uploads: every stored file gets a random name.

An upload keeps its folder (``accounts/change_requests/2026/12/``) but not its name: the client's file
name, or one a service built from ids (``export-<customer>-<n>.zip``), could tell who it belongs to.
The original name is kept on the row where it matters (``original_name``, ``document_name``) and used
as the download name. Nothing under ``MEDIA_ROOT`` is served directly: downloads go through views that
check who asks (``config.media``).
"""

from __future__ import annotations

import functools
import os
import re
import secrets
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models, transaction


def random_name(filename: str) -> str:
    """``folder/any-name.PDF`` → ``folder/<32 hex>.pdf`` (the extension, lower-cased, survives)."""
    folder, base = os.path.split(filename)
    ext = os.path.splitext(base)[1].lower()
    if not ext[1:].isalnum() or len(ext) > 10:
        ext = ""
    return os.path.join(folder, secrets.token_hex(16) + ext)


class PrivateFileSystemStorage(FileSystemStorage):
    def generate_filename(self, filename: Any) -> Any:
        return super().generate_filename(random_name(str(filename)))


_RANDOM = re.compile(r"^[0-9a-f]{32}(\.[0-9a-z]{1,9})?$")


def is_random_name(name: str) -> bool:
    return bool(_RANDOM.match(os.path.basename(name)))


def _file_fields() -> Iterator[tuple[type[models.Model], str]]:
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field.name


def stored_files_rename(*, dry_run: bool = False) -> dict[str, int]:
    """Give every stored file that still has its old name (uploaded before names were random) a random
    one; returns files renamed per ``app.Model.field``. Idempotent and resumable: a random name is left
    alone, and each row is moved on its own (copy, point the row at the copy, then delete the old file
    once that is committed), so an interrupted run leaves every row pointing at a file that exists."""
    renamed: dict[str, int] = {}
    for model, field in _file_fields():
        label = f"{model._meta.label}.{field}"
        rows = model._base_manager.exclude(**{field: ""}).exclude(**{f"{field}__isnull": True})
        for pk, name in rows.values_list("pk", field).iterator():
            if not name or is_random_name(name) or not default_storage.exists(name):
                continue
            renamed[label] = renamed.get(label, 0) + 1
            if dry_run:
                continue
            with default_storage.open(name, "rb") as source:
                new_name = default_storage.save(random_name(name), source)
            with transaction.atomic():
                updated = model._base_manager.filter(pk=pk, **{field: name}).update(**{field: new_name})
                if updated:
                    transaction.on_commit(functools.partial(default_storage.delete, name))
            if not updated:  # the row changed meanwhile: drop the copy
                default_storage.delete(new_name)
    return renamed

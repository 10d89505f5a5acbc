"""File storage for uploads: every stored file gets a random name.

An upload keeps its folder (``accounts/change_requests/2026/12/``) but not its name: the client's file
name, or one a service built from ids (``export-<customer>-<n>.zip``), could tell who it belongs to.
The original name is kept on the row where it matters (``original_name``, ``document_name``) and used
as the download name. Nothing under ``MEDIA_ROOT`` is served directly: downloads go through views that
check who asks (``config.media``).
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.core.files.storage import FileSystemStorage


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

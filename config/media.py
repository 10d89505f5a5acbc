"""Uploaded files (``MEDIA_URL``), served only to who may see them.

Nothing under ``MEDIA_ROOT`` is public. ``/media/<name>`` finds the row that holds the file and serves
it, as a download, to

* staff who may use the admin (with their second factor when ``STAFF_OTP_REQUIRED``) and hold the
  model's ``view`` permission, or
* an active member of a customer the row belongs to (``customers`` below); a privacy export only
  through the privacy pages, which admit the customer's admins.

Anyone else gets 404 (a file's existence is not revealed); an anonymous visitor is sent to log in.
The admin's file links point here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from accounts.models import Member
from accounts.selectors import member_for_user


@dataclass(frozen=True)
class PrivateFile:
    model: str  # "app_label.ModelName"
    field: str
    customers: Callable[[Any], Iterable[int | None]]  # the customers whose members may download
    download_name: Callable[[Any], str]


PRIVATE_FILES: tuple[PrivateFile, ...] = (
    PrivateFile("accounts.CustomerChangeRequest", "document", lambda o: [o.customer_id],
                lambda o: o.document_name),
    PrivateFile("accounts.SuccessionDocument", "file",
                lambda o: [o.request.predecessor_id, o.request.successor_id], lambda o: o.original_name),
    PrivateFile("contracts.ContractDocument", "file", lambda o: [o.contract.customer_id],
                lambda o: o.original_name),
    PrivateFile("messaging.SenderNumber", "proof_document", lambda o: [o.customer_id],
                lambda o: os.path.basename(o.proof_document.name)),
    PrivateFile("privacy.ExportRequest", "file", lambda o: [], lambda o: f"termsops-data-{o.pk}.zip"),
)


def _find(name: str) -> tuple[PrivateFile, Model] | None:
    for entry in PRIVATE_FILES:
        model = apps.get_model(entry.model)
        obj = model._default_manager.filter(**{entry.field: name}).first()
        if obj is not None:
            return entry, obj
    return None


def _staff_may(request: HttpRequest, obj: Model) -> bool:
    meta = obj._meta
    return admin.site.has_permission(request) and request.user.has_perm(
        f"{meta.app_label}.view_{meta.model_name}")


def _member_may(request: HttpRequest, entry: PrivateFile, obj: Model) -> bool:
    member = member_for_user(request.user)
    if member is None or member.status != Member.Status.ACTIVE or not member.customer.is_open:
        return False
    return member.customer_id in {c for c in entry.customers(obj) if c is not None}


def private_media(request: HttpRequest, name: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    found = _find(name)
    if found is None:
        raise Http404
    entry, obj = found
    if not (_staff_may(request, obj) or _member_may(request, entry, obj)):
        raise Http404
    field_file = getattr(obj, entry.field)
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=entry.download_name(obj))
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)  # streamed

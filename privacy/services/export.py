"""DAT-1: a customer's data as one ZIP of CSV and JSON files, built in the background.

:func:`export_request` records the request and, after commit, hands its id to the Celery task
``privacy.tasks.build_export`` (looked up by name: services never import tasks; eager in the demo).
:func:`export_build` writes the ZIP with progress and marks the request ready for download.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

from celery import current_app
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Member
from core import clock, csvkit
from core.errors import DomainError
from core.transitions import transition

from ..lifecycles import EXPORT
from ..models import ExportRequest
from ..selectors import HIDDEN_COLUMNS, export_sections

BUILD_TASK = "privacy.tasks.build_export"


def check_customer_admin(member: Member | None, *, rule: str) -> Member:
    """Only an active admin of the customer may export or ask for deletion (DAT-1, DAT-4)."""
    if member is None or member.role != Member.Role.ADMIN or member.status != Member.Status.ACTIVE:
        raise DomainError("not_customer_admin", _("고객사 관리자만 요청할 수 있습니다."), rule=rule)
    return member


def export_request(*, member: Member, today: dt.date) -> ExportRequest:
    """DAT-1: queue an export of the member's customer; the build runs after commit."""
    check_customer_admin(member, rule="DAT-1")
    with transaction.atomic():
        request = ExportRequest.objects.create(
            customer_id=member.customer_id, requested_by=member, requested_on=today
        )
        transaction.on_commit(
            lambda: current_app.tasks[BUILD_TASK].apply_async(kwargs={"request_id": request.pk})
        )
    return request


def _columns(qs: Any) -> list[str]:
    return [f.attname for f in qs.model._meta.concrete_fields if f.attname not in HIDDEN_COLUMNS]


def export_build(*, request_id: int) -> ExportRequest:
    """Write the ZIP (one CSV and one JSON per section) and mark the request ready. Idempotent."""
    with transaction.atomic():
        request = ExportRequest.objects.select_for_update().get(pk=request_id)
        if request.status in (ExportRequest.Status.READY, ExportRequest.Status.RUNNING):
            return request
        request.progress = 0
        transition(request, EXPORT, ExportRequest.Status.RUNNING, today=clock.today(),
                   save_fields=["progress"])
    sections = export_sections(request.customer_id)
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for done, (name, qs) in enumerate(sections.items(), start=1):
                columns = _columns(qs)
                rows = list(qs.order_by("pk").values(*columns))
                text = io.StringIO()
                writer = csvkit.dict_writer(text, columns)  # formula cells escaped
                writer.writeheader()
                writer.writerows(rows)
                archive.writestr(f"{name}.csv", "\ufeff" + text.getvalue())
                archive.writestr(
                    f"{name}.json", json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
                )
                ExportRequest.objects.filter(pk=request_id).update(
                    progress=int(100 * done / (len(sections) + 1))
                )
    except Exception as exc:
        with transaction.atomic():
            failed = ExportRequest.objects.select_for_update().get(pk=request_id)
            failed.error = str(exc)[:2000]
            transition(failed, EXPORT, ExportRequest.Status.FAILED, today=clock.today(),
                       save_fields=["error"])
        raise
    request.refresh_from_db()
    request.file.save(
        f"export-{request.customer_id}-{request.pk}.zip", ContentFile(buffer.getvalue()), save=False
    )
    request.progress, request.finished_at = 100, timezone.now()
    with transaction.atomic():
        transition(request, EXPORT, ExportRequest.Status.READY, today=clock.today(),
                   save_fields=["file", "progress", "finished_at"])
    return request

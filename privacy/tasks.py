"""Celery tasks of the privacy app: take ids, call a service (DAT-1)."""

from __future__ import annotations

from celery import shared_task

from .services.export import export_build


@shared_task(name="privacy.tasks.build_export", acks_late=True)
def build_export(request_id: int) -> str:
    return export_build(request_id=request_id).status

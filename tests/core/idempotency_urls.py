"""Test-only endpoints: an idempotent ``POST /idem/`` that takes half a second (race tests) and
``/api/test-crash/``, a plain Django view under /api/ that fails (the JSON 500)."""

from __future__ import annotations

import datetime as dt
import time

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the project's handlers
from config.urls import urlpatterns as project_urlpatterns
from core.api import AuditedAPIView, idempotent
from core.models import Holiday


def _scope(request: Request) -> int:
    return int(request.user.pk)


class SlowCreateApi(AuditedAPIView):
    permission_classes = [IsAuthenticated]

    @idempotent(_scope)
    def post(self, request: Request) -> Response:
        time.sleep(0.5)
        day = dt.date(2090, 1, 1) + dt.timedelta(days=Holiday.objects.count())
        holiday = Holiday.objects.create(date=day, name=str(request.data.get("name", "")))
        return Response({"id": holiday.pk, "date": day}, status=201)


def crash(request: object) -> None:
    raise RuntimeError("boom")


urlpatterns = [path("idem/", SlowCreateApi.as_view()), path("api/test-crash/", crash), *project_urlpatterns]

"""A test-only idempotent endpoint (``POST /idem/``) that takes half a second, for the race tests."""

from __future__ import annotations

import datetime as dt
import time

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

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


urlpatterns = [path("idem/", SlowCreateApi.as_view()), *project_urlpatterns]

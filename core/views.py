"""Process probes for load balancers and monitors (issue 19); the checks live in core.health."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import health


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches nothing else, so a slow database never restarts it."""
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 when the database, broker and migrations are fine (``status`` "ok" or "degraded"
    when beat is late or a job date is stuck); 503 with the failing checks otherwise."""
    report = health.readiness()
    return JsonResponse(report.as_dict(), status=200 if report.ready else 503,
                        json_dumps_params={"ensure_ascii": False})

"""The public status page (SLA-8): no login; per service (policy code) its current incidents, upcoming
announced maintenance and the last 90 days (the policy's ``status_page_days``) of daily availability,
drawn as an inline SVG bar chart with the same numbers in a table. The numbers are
``sla.selectors.status_page``'s; this module only lays them out."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from core import clock

from .. import selectors

BAR_WIDTH, BAR_GAP, CHART_HEIGHT = 6, 2, 48


def _tone(availability: float) -> str:
    if availability >= 100:
        return "ok"
    return "minor" if availability >= 99 else "major"


def _bars(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    bars = []
    for n, day in enumerate(days):
        height = max(2, round(CHART_HEIGHT * day["availability"] / 100))
        bars.append(
            {
                **day,
                "x": n * (BAR_WIDTH + BAR_GAP),
                "y": CHART_HEIGHT - height,
                "height": height,
                "tone": _tone(day["availability"]),
            }
        )
    return bars


@never_cache
def status_index(request: HttpRequest) -> HttpResponse:
    return render(request, "sla/status/index.html", {"services": selectors.status_services()})


@never_cache
def status_service(request: HttpRequest, service: str) -> HttpResponse:
    if service not in selectors.status_services():
        raise Http404
    page = selectors.status_page(service=service, now=clock.now())
    days = page["days"]
    return render(
        request,
        "sla/status/service.html",
        {
            "service": service,
            "services": selectors.status_services(),
            "current_incidents": page["current_incidents"],
            "maintenance": page["maintenance"],
            "days": days,
            "bars": _bars(days),
            "chart_width": max(len(days) * (BAR_WIDTH + BAR_GAP) - BAR_GAP, 1),
            "chart_height": CHART_HEIGHT,
            "bar_width": BAR_WIDTH,
            "first_day": days[0]["date"] if days else None,
            "last_day": days[-1]["date"] if days else None,
        },
    )

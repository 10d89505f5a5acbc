"""The public status page (SLA-8): no login, per service; current incidents, upcoming maintenance, 90 days
of daily availability as bars with the numbers as text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core import clock
from sla.services.incidents import incident_open
from sla.services.maintenance import maintenance_plan
from tests.sla.conftest import D, T

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 20)
NOW = T(2026, 11, 20, 12)


def _service_with_history() -> None:
    incident_open(
        service="officecore",
        title="메일 발송 지연",
        detected_at=T(2026, 11, 18, 0),
        ended_at=T(2026, 11, 18, 6),
        today=TODAY,
        now=NOW,
    )
    incident_open(
        service="officecore", title="로그인 장애", detected_at=T(2026, 11, 20, 11), today=TODAY, now=NOW
    )
    maintenance_plan(
        service="officecore",
        title="정기 점검",
        starts_at=T(2026, 11, 25, 0),
        ends_at=T(2026, 11, 25, 2),
        today=TODAY,
        now=NOW,
    )


def test_status_page_without_login(client, presets):
    """SLA-8: anyone sees the service's current incident, the announced maintenance and 90 daily bars
    with the same numbers in a table."""
    _service_with_history()
    with clock.frozen(NOW):
        index = client.get(reverse("status"))
        response = client.get(reverse("status_service", args=["officecore"]))
    assert (
        index.status_code == 200 and reverse("status_service", args=["officecore"]) in index.content.decode()
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "로그인 장애" in page and "현재 장애가 있습니다." in page
    assert "메일 발송 지연" not in page.split('id="current-incidents"')[1].split("</ul>")[0]
    assert "정기 점검: 2026-11-25 00:00 ~ 2026-11-25 02:00" in page
    assert page.count('<rect class="bar ') == 90
    assert 'data-date="2026-11-18" data-availability="75.0"' in page
    assert "<td>2026-11-18</td><td>75.0%</td><td>360</td>" in page
    assert "<td>2026-08-22</td><td>100.0%</td><td>0</td>" in page
    first = dt.date(2026, 8, 22).isoformat()
    assert f'data-date="{first}"' in page and 'data-date="2026-11-20"' not in page


def test_unknown_service_is_404(client, presets):
    """SLA-8: only services with an SLA have a status page."""
    with clock.frozen(NOW):
        assert client.get(reverse("status_service", args=["nosuch"])).status_code == 404

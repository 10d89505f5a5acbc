"""The portal's footer, support page, privacy policy and favicon (issue 15): the footer links the terms, the
privacy policy and support instead of filler text; support and the privacy policy are public pages whose
contacts and periods come from settings and the published terms, never literals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from contracts.presets import load_presets
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _links(html: str) -> set[str]:
    import re

    return set(re.findall(r'href="([^"]+)"', html))


def test_footer_links_terms_privacy_support_and_status(client: Client) -> None:
    """TRM-1 (the terms are one click away), DAT-1: the footer of a public page links the privacy policy,
    support and the status page; once logged in, also the terms. The filler sentence is gone."""
    html = client.get(reverse("portal:login")).content.decode()
    links = _links(html)
    assert {reverse("portal:privacy_policy"), reverse("portal:support"), reverse("status")} <= links
    assert reverse("portal:contract_terms") not in links  # the terms page needs a login
    assert "약관에 따라 운영되는 고객 포털입니다" not in html

    member: Any = MemberFactory()
    client.force_login(member.user)
    html = client.get(reverse("portal:home")).content.decode()
    wanted = {reverse("portal:contract_terms"), reverse("portal:privacy_policy"), reverse("portal:support")}
    assert wanted <= _links(html)


@override_settings(
    SUPPORT_EMAIL="help@operator.example", SUPPORT_PHONE="02-123-4567", SUPPORT_HOURS="10:00–17:00"
)
def test_support_page_is_public_and_shows_the_configured_contacts(client: Client) -> None:
    """Issue 15: support's email, phone and hours come from settings, in Korean and in English."""
    response = client.get(reverse("portal:support"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "mailto:help@operator.example" in html
    assert "02-123-4567" in html
    assert "평일 10:00–17:00" in html
    client.cookies["django_language"] = "en"
    html = client.get(reverse("portal:support")).content.decode()
    assert "Weekdays 10:00–17:00" in html
    assert "고객 지원" not in html


def test_privacy_policy_lists_each_published_service_with_its_periods(client: Client) -> None:
    """DAT-2, DAT-3: the public privacy policy shows, per service, the published terms' retention periods
    (deleted at termination for dcloud, 6 months for officecore; records 5 and 3 years), without rule ids."""
    policies = {p.code: p for p in load_presets()}
    response = client.get(reverse("portal:privacy_policy"))
    assert response.status_code == 200
    html = response.content.decode()
    for policy in policies.values():
        assert policy.name in html
    officecore = policies["officecore"]
    assert f"{officecore.data_retention_months}개월" in html
    assert "해지일에 삭제" in html  # dcloud, flow: at termination
    assert f"{officecore.contract_records_retention_years}년" in html
    assert "DAT-" not in html and "제21조" not in html
    client.cookies["django_language"] = "en"
    html = client.get(reverse("portal:privacy_policy")).content.decode()
    assert "Privacy policy" in html
    assert f"{officecore.data_retention_months} months" in html
    assert "Deleted on the termination date" in html


def test_favicon_is_served_at_the_site_root(client: Client) -> None:
    """Issue 15: browsers ask /favicon.ico; it is our icon (WhiteNoise serves static/root), and the portal
    pages name the SVG icon."""
    response: Any = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    html = client.get(reverse("portal:login")).content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html

"""Issue 15: Django's own Korean strings in the admin are overridden where the stock catalogue reads
wrong (locale/ko/LC_MESSAGES/django.po): the pages are rendered in Korean and checked for the known-bad
strings and their replacements."""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from accounts.staff import ensure_staff_groups
from contracts.presets import load_presets
from tests.billing.conftest import make_contract
from tests.billing.payment_factories import make_invoice
from tests.factories import StaffUserFactory, UserFactory
from tests.test_i18n import _entries

ROOT = Path(__file__).resolve().parents[1]
#: Known-bad stock Korean (the issue's findings and their like), never on an admin page of ours.
BAD = ("보기위한", "를(을)", "뷰 ", "사용자(들)", "(으)로", "을/를", "이/가", "오브젝트", "액션", "히스토리",
       "콘텐츠 타입(들)", "확신합니다", "돌려주세요", "세션들", "로그 엔트리")


def _page(client: Client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200, url
    return response.content.decode()


def _assert_clean(content: str, url: str) -> None:
    for bad in BAD:
        assert bad not in content, (url, bad)


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_committed_catalogue_is_compiled_from_its_source(domain: str) -> None:
    """Issue 15: the committed Korean .mo files are compiled from the current .po files (like English)."""
    po = ROOT / "locale" / "ko" / "LC_MESSAGES" / f"{domain}.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run make messages"
    with mo.open("rb") as handle:
        compiled = gettext_module.GNUTranslations(handle)
    entries = [e for e in _entries(po) if not e["plural"]]  # plural forms: see the lookups below
    assert entries
    for entry in entries:
        assert compiled.gettext(str(entry["msgid"])) == entry["msgstr"], entry["msgid"]


def test_the_catalogue_overrides_the_stock_strings() -> None:
    """Issue 15: Korean lookups answer with our strings, English ones stay Django's."""
    with translation.override("ko"):
        assert gettext("Select %s to view") == "%s 목록"
        assert gettext("View %s") == "%s 보기"
        assert gettext("users") == "사용자"
        assert gettext(" By %(filter_title)s ") == " %(filter_title)s별 "
        assert ngettext("%(counter)s result", "%(counter)s results", 3) == "결과 %(counter)s건"
    with translation.override("en"):
        assert gettext("View %s") == "View %s"  # English untouched


@pytest.mark.django_db
def test_a_view_only_agent_reads_plain_korean_on_the_invoice_pages() -> None:
    """Issue 15: a support agent (view only on billing) sees "청구서 목록" and "청구서 보기",
    filters "상태별", and none of the stock catalogue's broken strings, on the invoice list and an invoice."""
    load_presets()
    ensure_staff_groups()
    contract = make_contract("officecore-standard-monthly", start=dt.date(2026, 1, 5))
    invoice = make_invoice(contract.customer, 110_000)
    client = Client()
    client.force_login(StaffUserFactory(groups=["support"]))
    url = reverse("admin:billing_invoice_changelist")
    content = _page(client, url)
    _assert_clean(content, url)
    assert "청구서 목록" in content
    assert "상태별" in content
    url = reverse("admin:billing_invoice_change", args=[invoice.pk])
    content = _page(client, url)
    _assert_clean(content, url)
    assert "청구서 보기" in content


@pytest.mark.django_db
def test_a_superuser_reads_plain_korean_on_the_index_users_and_a_change_form() -> None:
    """Issue 15: the index, the users list ("사용자", not "사용자(들)"), a change page ("… 수정") and the
    delete confirmation read as Korean."""
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    for url in (
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_change", args=[admin_user.pk]),
        reverse("admin:auth_user_delete", args=[admin_user.pk]),
        reverse("admin:core_holiday_changelist"),
        reverse("admin:core_holiday_add"),
    ):
        _assert_clean(_page(client, url), url)
    assert "사용자 수정" in _page(client, reverse("admin:auth_user_change", args=[admin_user.pk]))
    assert "작업:" in _page(client, reverse("admin:auth_user_changelist"))

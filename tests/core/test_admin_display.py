"""Issue 15: the admin shows stored amounts, quantities, actors and stored notes as people read them."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.admin import helpers
from django.contrib.admin.templatetags import admin_list
from django.utils import translation

from billing.models import BankTransaction
from core.admin_display import display_for_field
from core.models import JobRun, ProviderCall
from sla.models import SlaMonth


def _field(model, name):
    return model._meta.get_field(name)


def test_it_is_installed_for_change_pages_and_changelists():
    assert helpers.display_for_field is display_for_field
    assert admin_list.display_for_field is display_for_field


def test_money_quantities_and_counts():
    with translation.override("ko"):
        assert display_for_field(1386, _field(BankTransaction, "amount_won"), "-") == "1,386원"
        assert display_for_field(Decimal("100.0000"), _field(SlaMonth, "availability"), "-") == "100"
        assert display_for_field(Decimal("99.5000"), _field(SlaMonth, "availability"), "-") == "99.5"
        assert display_for_field(12500, _field(JobRun, "duration_ms"), "-") == "12,500"
    with translation.override("en"):
        assert display_for_field(300000, _field(SlaMonth, "fee_won"), "-") == "KRW 300,000"


def test_identifiers_and_choices_are_left_alone():
    assert display_for_field(2026, _field(ProviderCall, "http_status"), "-") == "2026"
    with translation.override("en"):
        assert display_for_field("ok", _field(ProviderCall, "outcome"), "-") == "Succeeded"


def test_actor_codes_read_as_words():
    with translation.override("ko"):
        shown = display_for_field("job:unknown_job_name", _field(JobRun, "worker"), "-")
    assert shown.startswith("자동 작업")


def test_a_stored_korean_note_reads_in_english_on_an_english_page():
    """A note a job stored from a msgid is shown in the reader's language; other text stays as stored."""
    note = _field(BankTransaction, "note")
    stored = "입금자명과 일치하는 고객이 없습니다"
    with translation.override("en"):
        assert display_for_field(stored, note, "-") == "No customer matches the payer name"
        assert display_for_field("주식회사 한빛오피스", note, "-") == "주식회사 한빛오피스"
    with translation.override("ko"):
        assert display_for_field(stored, note, "-") == stored

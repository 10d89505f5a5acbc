"""MSG-1, issue 15: what customers read in notices: no rule ids (``BIL-10``) or seed article codes
(``002 제32조``), one style of amounts and months per language (``330,000원`` / ``KRW 330,000``,
``2026년 11월`` / ``November 2026``)."""

from __future__ import annotations

import re

import pytest

from messaging.defaults import DEFAULT_TEMPLATES, FALLBACK
from messaging.rendering import render, render_subject
from messaging.services import notify

pytestmark = pytest.mark.django_db

RULE_ID = re.compile(r"\b[A-Z]{2,4}-\d{1,2}\b(?!-)")  # BIL-10, not INV-2026-000123 or CR-000001
SEED_ARTICLE = re.compile(r"\b00\d ?(제|art)")
TAG = re.compile(r"\{[{%#].*?[}%#]\}", re.S)
KO_AMOUNT_IN_EN = re.compile(r"\d원")
EN_AMOUNT_IN_KO = re.compile(r"KRW")
ISO_MONTH = re.compile(r"(?<![\d-])20\d\d-[01]\d(?![\d-])")  # 2026-11, not 2026-11-20


# Free text a service or a person writes (a reason, a basis, an answer): the notice shows it as written.
FREE_TEXT = ("reason", "basis", "message", "note", "answer", "explanation")


def _rendered(template, *, free_text: bool = True) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    context = {"customer": {"legal_name": "주식회사 한빛"}, **(template.sample_context or {})}
    if not free_text:
        context.update({key: "" for key in FREE_TEXT})
    return (render_subject(template.subject, context, language=template.language),
            render(template.body, context, language=template.language))


def _ids(template) -> str:  # type: ignore[no-untyped-def]
    return f"{template.event}/{template.channel}/{template.language}"


def test_registry_covers_every_app():
    """MSG-1: the registry walked here holds the contract, billing, SLA and privacy notices, ko and en."""
    events = {t.event for t in DEFAULT_TEMPLATES}
    assert {"contract.terminating", "dunning.step", "dispute.decided", "sla.credit.issued"} <= events
    assert {t.language for t in DEFAULT_TEMPLATES} == {"ko", "en"}


@pytest.mark.parametrize("template", DEFAULT_TEMPLATES, ids=_ids)
def test_notice_texts_name_no_rule_ids_or_seed_codes(template):
    """MSG-1: every built-in notice (subject and body, every branch of its text and rendered with its
    sample) reads without rule ids or seed article codes; "약관 제N조" is how an article is named."""
    texts = [TAG.sub(" ", template.subject), TAG.sub(" ", template.body), *_rendered(template)]
    for text in texts:
        assert not RULE_ID.search(text), (RULE_ID.search(text), text)
        assert not SEED_ARTICLE.search(text), text


@pytest.mark.parametrize("template", DEFAULT_TEMPLATES, ids=_ids)
def test_notice_amounts_and_months_in_the_notice_language(template):
    """MSG-1: amounts read "330,000원" in Korean and "KRW 330,000" in English, never mixed; a month is
    "2026년 11월" / "November 2026", not "2026-11" (free text such as a reason is shown as written)."""
    for text in _rendered(template, free_text=False):
        if template.language == "en":
            assert not KO_AMOUNT_IN_EN.search(text), text
        else:
            assert not EN_AMOUNT_IN_KO.search(text), text
        assert not ISO_MONTH.search(text), text


def test_fallback_templates_name_no_codes():
    """MSG-1: the in-code fallback reads without codes too."""
    for subject, body in FALLBACK.values():
        assert not RULE_ID.search(subject + body) and not SEED_ARTICLE.search(subject + body)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ko", "330,000원 · 2026년 11월 · 2026-11-20 · -5,000원"),
     ("en", "KRW 330,000 · November 2026 · 2026-11-20 · -KRW 5,000")],
)
def test_notice_filters_follow_the_notice_language(language, expected):
    """MSG-1: |won, |month and |day work in every notice template (no {% load %}), on the JSON values a
    stored context holds (numbers, "2026-11", "2026-11-20"), in the notice's language."""
    source = "{{ a|won }} · {{ m|month }} · {{ d|day }} · {{ n|won }}"
    context = {"a": 330000, "m": "2026-11", "d": "2026-11-20", "n": -5000}
    assert render(source, context, language=language) == expected


def test_notice_filters_leave_what_they_cannot_read():
    """MSG-1: a value the filter cannot read is shown as it is (a staff-edited template never crashes)."""
    assert render("{{ a|won }}/{{ m|month }}/{{ b|won }}", {"a": "약간", "m": "다음 달"}, language="ko") == (
        "약간/다음 달/"
    )


def test_sla_credit_notice_names_the_month_in_korean(customer, admin_member):
    """SLA-4, MSG-1: the SLA credit notice names "2026년 11월" and "50,000원" (its context: "2026-11")."""
    notices = notify(customer=customer, event="sla.credit.issued", channels=["portal"], context={
        "contract_number": "CT-000001", "month": "2026-11", "availability": "99.1",
        "credit_won": 50000, "basis": "월 이용료의 10%", "credit_note_number": "CN-2026-000001",
    })
    assert "2026년 11월" in notices[0].body and "50,000원" in notices[0].body
    assert "2026-11 " not in notices[0].body


def test_installed_templates_are_rewritten_keeping_staff_edits():
    """MSG-1: the data migration turns an installed template's old amounts, months and seed codes into
    the new form and keeps what staff wrote around them."""
    import importlib

    migration = importlib.import_module("messaging.migrations.0010_notice_texts_for_people")
    old = ("고친 문장 {{ amount_won|intcomma }}원, {{ month }} (002 제19조 ④)\n"
           "Edited: KRW {{ amount_won|add:interest_won|intcomma }}")
    assert migration.rewrite(old) == ("고친 문장 {{ amount_won|won }}, {{ month|month }} (약관 제19조 ④)\n"
                                      "Edited: {{ amount_won|add:interest_won|won }}")
    assert migration.rewrite("{{ n|intcomma }}건") == "{{ n|intcomma }}건"

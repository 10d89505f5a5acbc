"""An install loaded before the demo terms texts existed gets them from ``load_presets`` (TRM-1): only a
preset version still holding the one-line placeholder, with no document and no customer's answer."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from contracts.models import ConsentDecision, Policy, TermsConsent, TermsDocument
from contracts.presets import PLACEHOLDER_TEXTS, load_presets, preset_terms_text
from contracts.selectors import policy_citations
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

DCLOUD_PLACEHOLDER = "디클라우드 서비스 이용약관 (002). 전문은 seeds/002 참조."


def _old_install(code: str = "dcloud", text: str | None = None) -> Policy:
    """A version 1 as the presets loaded it before: the placeholder text and no document."""
    load_presets(codes=[code])
    policy = Policy.objects.get(code=code, version=1)
    TermsDocument.objects.filter(policy=policy).delete()
    Policy.objects.filter(pk=policy.pk).update(terms_text_ko=text or PLACEHOLDER_TEXTS[code])
    return Policy.objects.get(pk=policy.pk)


def test_placeholder_is_replaced_with_the_preset_text_and_its_articles() -> None:
    """TRM-1: a preset version still holding the placeholder gets the preset text, its articles, and
    every citation of the version resolves; a second run changes nothing."""
    policy = _old_install()
    assert policy.terms_text_ko == DCLOUD_PLACEHOLDER

    load_presets(codes=["dcloud"])

    policy.refresh_from_db()
    assert policy.terms_text_ko == preset_terms_text("dcloud")
    document = TermsDocument.objects.get(policy=policy)
    assert document.citation_source == "002"
    assert document.articles.filter(key="35").exists()  # 002 art.35① (dispute window)
    cited = policy_citations(policy)
    assert cited and all(c.ok for c in cited)

    first_pk = document.pk
    load_presets(codes=["dcloud"])  # idempotent: the document is kept, not rebuilt
    assert TermsDocument.objects.get(policy=policy).pk == first_pk


def test_placeholder_in_a_later_draft_is_replaced_too() -> None:
    """TRM-1: every version of the preset still holding the placeholder (a clone of it) is filled in."""
    v1 = _old_install("kgmsg")
    v2 = Policy.objects.get(pk=v1.pk)
    v2.pk = None
    v2.version = 2
    v2.status = Policy.Status.DRAFT
    v2.published_at = None
    v2.save()

    load_presets(codes=["kgmsg"])

    for policy in (v1, v2):
        policy.refresh_from_db()
        assert policy.terms_text_ko == preset_terms_text("kgmsg")
        assert TermsDocument.objects.filter(policy=policy).exists()


def test_customised_text_is_never_touched() -> None:
    """TRM-1: a text the operator wrote (anything but the exact placeholder) stays as it is, with no
    document made for it."""
    custom = "디클라우드 서비스 이용약관 (002). 전문은 seeds/002 참조. 단, 제35조는 따로 정합니다."
    policy = _old_install(text=custom)

    load_presets(codes=["dcloud"])

    policy.refresh_from_db()
    assert policy.terms_text_ko == custom
    assert not TermsDocument.objects.filter(policy=policy).exists()


def test_placeholder_customers_answered_is_never_touched() -> None:
    """TRM-1, TRM-4: a version customers accepted as it stands (consent kept with the text's hash) keeps
    the text they answered to."""
    policy = _old_install()
    TermsConsent.objects.create(
        customer=CustomerFactory(),
        policy=policy,
        decision=ConsentDecision.ACCEPTED,
        text_hash=hashlib.sha256(DCLOUD_PLACEHOLDER.encode()).hexdigest(),
        decided_at=timezone.now(),
        channel=TermsConsent.Channel.PORTAL,
    )

    load_presets(codes=["dcloud"])

    policy.refresh_from_db()
    assert policy.terms_text_ko == DCLOUD_PLACEHOLDER
    assert not TermsDocument.objects.filter(policy=policy).exists()


def test_version_with_a_document_is_never_touched() -> None:
    """TRM-1: a version that already has a document keeps its text and document, even if its text were
    the placeholder."""
    load_presets(codes=["flow"])
    policy = Policy.objects.get(code="flow", version=1)
    document_pk = TermsDocument.objects.get(policy=policy).pk
    Policy.objects.filter(pk=policy.pk).update(terms_text_ko=PLACEHOLDER_TEXTS["flow"])

    load_presets(codes=["flow"])

    policy.refresh_from_db()
    assert policy.terms_text_ko == PLACEHOLDER_TEXTS["flow"]
    assert TermsDocument.objects.get(policy=policy).pk == document_pk

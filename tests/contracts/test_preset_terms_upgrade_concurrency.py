"""Two ``load_presets`` runs at once fill in an old install's placeholder terms text once (TRM-1)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from contracts.models import Policy, TermsArticle, TermsDocument
from contracts.presets import PLACEHOLDER_TEXTS, load_presets, preset_terms_text

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_runs_at_once_store_one_document() -> None:
    """TRM-1: concurrent runs serialise on the version's row lock; one document, one set of articles."""
    load_presets(codes=["dcloud"])
    policy = Policy.objects.get(code="dcloud", version=1)
    articles = TermsArticle.objects.filter(document__policy=policy).count()
    TermsDocument.objects.filter(policy=policy).delete()
    Policy.objects.filter(pk=policy.pk).update(terms_text_ko=PLACEHOLDER_TEXTS["dcloud"])

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> Any:
        try:
            barrier.wait()
            load_presets(codes=["dcloud"])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors, errors
    policy.refresh_from_db()
    assert policy.terms_text_ko == preset_terms_text("dcloud")
    assert TermsDocument.objects.filter(policy=policy).count() == 1
    assert TermsArticle.objects.filter(document__policy=policy).count() == articles > 0

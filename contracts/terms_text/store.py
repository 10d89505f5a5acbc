"""Writes a parsed terms text into ``TermsDocument``/``TermsArticle`` rows (TRM-1). Called by the import
service, the preset loader and ``policy_clone``; never by an interface."""

from __future__ import annotations

import hashlib

from django.db import transaction

from ..models import Policy, TermsArticle, TermsDocument
from .citations import SEED_DOCUMENTS
from .parser import ParsedTerms, parse_terms

__all__ = ["citation_source_for", "copy_document", "store_document", "sync_document"]

_SOURCE_BY_CODE = {code: number for number, code in SEED_DOCUMENTS.items()}


def citation_source_for(policy: Policy) -> str:
    """The seed document a policy's citations refer to: its preset's (``dcloud`` → ``002``), else none."""
    return _SOURCE_BY_CODE.get(policy.code, "")


def store_document(
    *,
    policy: Policy,
    parsed: ParsedTerms,
    text: str,
    source_name: str = "",
    citation_source: str | None = None,
) -> TermsDocument:
    """Replace ``policy``'s document with ``parsed`` (which must have no errors)."""
    if parsed.errors:
        raise ValueError("a terms text with errors is never stored")
    with transaction.atomic():
        TermsDocument.objects.filter(policy=policy).delete()
        document = TermsDocument.objects.create(
            policy=policy,
            title=parsed.title[:300],
            source_name=source_name[:200],
            encoding=parsed.encoding,
            citation_source=citation_source_for(policy) if citation_source is None else citation_source,
            preamble="\n".join(parsed.preamble),
            addenda=[
                {
                    "title": a.title,
                    "text": a.text,
                    "effective_date": a.effective_date.isoformat() if a.effective_date else None,
                }
                for a in parsed.addenda
            ],
            effective_date=parsed.effective_date,
            warnings=[{"line": w.line, "code": w.code, "message": w.message} for w in parsed.warnings],
            text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
        TermsArticle.objects.bulk_create(
            TermsArticle(
                document=document,
                position=i,
                key=a.key,
                number=a.number,
                branch=a.branch,
                appendix=a.appendix,
                label=a.label,
                title=a.title[:300],
                chapter_number=a.chapter_number,
                chapter_title=a.chapter_title[:300],
                line=a.line,
                text=a.text,
                clauses=[c.as_dict() for c in a.clauses],
            )
            for i, a in enumerate(parsed.articles, start=1)
        )
    return document


def copy_document(*, source: Policy, target: Policy) -> TermsDocument | None:
    """Give a cloned version the same document as its source (the text was copied too)."""
    original = TermsDocument.objects.filter(policy=source).first()
    if original is None:
        return None
    articles = list(original.articles.all())
    with transaction.atomic():
        TermsDocument.objects.filter(policy=target).delete()
        original.pk = None
        original.policy = target
        original.save()
        for article in articles:
            article.pk = None
            article.document = original
        TermsArticle.objects.bulk_create(articles)
    return original


def sync_document(policy: Policy) -> TermsDocument | None:
    """Keep the document in step with a text edited in place (a draft's text box): re-read it; when it
    no longer reads cleanly, drop the stale document (the admin then says there is none and offers the
    import, which reports the errors by line)."""
    existing = TermsDocument.objects.filter(policy=policy).first()
    parsed = parse_terms(policy.terms_text_ko)
    if parsed.errors:
        TermsDocument.objects.filter(policy=policy).delete()
        return None
    return store_document(
        policy=policy,
        parsed=parsed,
        text=policy.terms_text_ko,
        source_name=existing.source_name if existing else "",
        citation_source=existing.citation_source if existing else None,
    )

"""Policy values as they apply to one contract: the policy version in force, with the
contract's special terms (특약) laid over it (CON-12). Every rule reads its numbers here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .models import Contract, Policy, SpecialTerm, TermsRelease
from .policy_fields import PolicyFields


@dataclass(frozen=True)
class Source:
    """Where a value came from, for showing next to it (CON-12)."""

    value: Any
    policy: Policy
    special_term: SpecialTerm | None

    @property
    def label(self) -> str:
        if self.special_term is not None:
            return _("특약 (%(date)s 체결)") % {"date": self.special_term.signed_on}
        return f"{self.policy.code} v{self.policy.version}"


class EffectivePolicy(PolicyFields):
    """Read-only view: ``effective_policy(contract).renewal_months``.

    Every Policy field is a typed attribute (declared in the generated ``PolicyFields``): the active
    special term's value converted to the field's type, else the policy version's. mypy sees exactly
    these names, so a misspelt or removed field is a type error rather than an ``Any``."""

    def __init__(self, policy: Policy, overrides: dict[str, SpecialTerm]) -> None:
        self._policy = policy
        self._overrides = overrides

    @property
    def policy(self) -> Policy:
        return self._policy

    @property
    def pk(self) -> int:
        return self._policy.pk

    if not TYPE_CHECKING:  # at run time the declared fields are read here; mypy sees only the declarations

        def __getattr__(self, name: str) -> Any:
            if name.startswith("_"):
                raise AttributeError(name)
            term = self._overrides.get(name)
            if term is not None:
                return _typed(name, term.value)
            return getattr(self._policy, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):
            raise AttributeError(f"EffectivePolicy is read-only: {name}")
        super().__setattr__(name, value)

    def value(self, name: str) -> Any:
        """A field by name (for code that loops over field names, such as the admin's source list)."""
        return getattr(self, name)

    def source(self, name: str) -> Source:
        term = self._overrides.get(name)
        return Source(self.value(name), self._policy, term)

    def overridden(self) -> dict[str, SpecialTerm]:
        return dict(self._overrides)


def _typed(name: str, value: Any) -> Any:
    """A special term's JSON value as the policy field's Python type (Decimal, time, int...)."""
    try:
        field = Policy._meta.get_field(name)
    except FieldDoesNotExist:
        return value
    if value is None or not isinstance(field, models.Field) or isinstance(field, models.JSONField):
        return value
    try:
        return field.to_python(value)
    except ValidationError:
        return value


# A policy as rules read it: the effective one of a contract, or a bare version (invoices, previews of
# a version). Both have every field typed.
PolicyView = EffectivePolicy | Policy


#: Where :func:`active_terms_prefetch` puts a contract's active special terms: a plain list (Django builds
#: a queryset per contract for a prefetch kept on the manager: a tenth of the invoice run, issue 16).
ACTIVE_TERMS = "active_special_terms"


def active_terms_prefetch() -> models.Prefetch:
    """``prefetch_related(active_terms_prefetch())``: the contracts' active special terms in one query, read
    by :func:`effective_policy` and :func:`policy_spans`."""
    active = SpecialTerm.objects.filter(active=True)
    return models.Prefetch("special_terms", queryset=active, to_attr=ACTIVE_TERMS)


def _active_terms(contract: Contract) -> dict[str, SpecialTerm]:
    rows = getattr(contract, ACTIVE_TERMS, None)
    if rows is None:
        rows = contract.special_terms.all()
    return {t.parameter: t for t in rows if t.active}


def effective_policy(contract: Contract) -> EffectivePolicy:
    return EffectivePolicy(contract.policy, _active_terms(contract))


def policy_values(contracts: models.QuerySet[Contract], parameter: str) -> Iterator[tuple[int, int, Any]]:
    """``(contract id, customer id, value)`` of ``parameter`` in each of ``contracts``' effective policy,
    read set-based (issue 16: ``select_related("policy")`` builds and decodes a policy row per contract):
    the policy versions in use once, and only the contracts with an active special term on ``parameter``
    through :func:`effective_policy`."""
    policies = {
        p.pk: EffectivePolicy(p, {}) for p in Policy.objects.filter(pk__in=contracts.values("policy_id"))
    }
    special = SpecialTerm.objects.filter(contract__in=contracts, active=True, parameter=parameter)
    overrides = {
        c.pk: getattr(effective_policy(c), parameter)
        for c in Contract.objects.filter(pk__in=special.values("contract_id"))
        .select_related("policy")
        .prefetch_related("special_terms")
    }
    for pk, customer_id, policy_id in contracts.order_by("customer_id", "pk").values_list(
        "pk", "customer_id", "policy_id"
    ):
        yield pk, customer_id, overrides[pk] if pk in overrides else getattr(policies[policy_id], parameter)


# --------------------------------------------------------------------------- the version in force on a day


@dataclass(frozen=True)
class VersionSpan:
    """One policy version of a contract's history: in force from ``start`` (``None``: from the start of
    the chain) until the next span's start."""

    start: dt.date | None
    policy: EffectivePolicy


def terms_releases(codes: Iterable[str]) -> dict[int, TermsRelease]:
    """The recorded ``TermsRelease`` rows of the policy codes, by the version they released (one query for
    every code: pass it to :func:`version_chain` / :func:`policy_spans` to walk many chains at once)."""
    return {
        release.policy_id: release
        for release in TermsRelease.objects.filter(policy__code__in=sorted(set(codes))).select_related(
            "previous"
        )
    }


def version_chain(
    policy: Policy, releases: dict[int, TermsRelease] | None = None
) -> list[tuple[dt.date | None, Policy]]:
    """``policy`` and the versions it replaced, oldest first, each with the day it took effect (TRM-1,
    TRM-4): walked back through the recorded ``TermsRelease`` rows (``previous`` → ``policy`` on
    ``effective_on``). The oldest version has ``None``: it governs everything before the first change.

    A version governs from its effective date and never before it (TRM-2; 002 art.3② "적용일자",
    001 art.3-4 "효력 발생일"), so whoever is on ``policy`` today was on its predecessor before that date;
    a contract that refused a change keeps its old version (TRM-5), which is then the ``policy`` walked
    back from. ``releases`` (from :func:`terms_releases`, covering ``policy.code``) saves the query."""
    if releases is None:
        releases = terms_releases([policy.code])  # one query for the whole chain (versions of one code)
    chain: list[tuple[dt.date | None, Policy]] = []
    seen: set[int] = set()
    current: Policy | None = policy
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        release = releases.get(current.pk)
        if release is None:
            chain.append((None, current))
            break
        chain.append((release.effective_on, current))
        current = release.previous
    chain.reverse()
    return chain


def policy_spans(contract: Contract, releases: dict[int, TermsRelease] | None = None) -> list[VersionSpan]:
    """The versions that governed ``contract``, oldest first, each with the contract's special terms laid
    over it as :func:`effective_policy` does (CON-12). The last span is ``effective_policy(contract)``'s
    version. ``releases``: see :func:`version_chain`."""
    terms = _active_terms(contract)
    return [
        VersionSpan(start, EffectivePolicy(policy, terms))
        for start, policy in version_chain(contract.policy, releases)
    ]


def span_on(spans: list[VersionSpan], day: dt.date) -> EffectivePolicy:
    """The span of ``spans`` (oldest first) in force on ``day``: the last one started on or before it."""
    found = spans[0].policy
    for span in spans:
        if span.start is None or span.start <= day:
            found = span.policy
        else:
            break
    return found


def policy_on(contract: Contract, day: dt.date) -> EffectivePolicy:
    """The terms that governed ``contract`` on ``day`` (TRM-1, TRM-4; CON-12 special terms included):
    the version in force that day, not necessarily the contract's current one."""
    return span_on(policy_spans(contract), day)


def overridable_parameters() -> list[str]:
    """Policy fields a special term may override: rule numbers, not identity or text."""
    excluded = {
        "id",
        "code",
        "version",
        "name",
        "status",
        "effective_from",
        "published_at",
        "change_reason",
        "is_unfavourable",
        "source_notes",
        "terms_text_ko",
        "terms_text_en",
        "created_at",
        "updated_at",
    }
    return [f.name for f in Policy._meta.concrete_fields if f.name not in excluded]

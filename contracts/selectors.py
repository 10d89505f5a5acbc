"""Contracts reads shared by the back office, the portal and the API (tenant-scoped where a customer
reads), filters included.

Nothing here decides a rule: deadlines come from the services (``postpone_deadline``,
``withdrawal_deadline``, ``renewal_notice_deadline``, ``earliest_termination_date``), values from
``effective_policy`` (CON-12), what may be done now from ``contracts.services.actions`` and writes
only ever go through ``contracts.services``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Customer
from core.errors import DomainError

from .effective import EffectivePolicy, Source, effective_policy
from .lifecycle import can
from .models import (
    ConsentDecision,
    Contract,
    ContractPeriod,
    ContractStatus,
    Plan,
    Policy,
    RequiredDocument,
    SpecialTerm,
    TermsArticle,
    TermsConsent,
    TermsDocument,
    TermsRefusalOutcome,
    TermsRelease,
)
from .services import applications, renewal, termination
from .services import terms as terms_services
from .terms_text.citations import parse_citations, resolve
from .terms_text.store import citation_source_for

# The policy values a customer sees on a contract page (CON-4..10), in this order; any parameter a
# special term overrides is added after them (CON-12).
DISPLAY_PARAMETERS: tuple[str, ...] = (
    "min_term_months",
    "default_term_months",
    "term_options_months",
    "auto_renew",
    "renewal_months",
    "renewal_notice_days",
    "renewal_reminder_days",
    "activation_postpone_notice_days",
    "customer_termination_notice_days",
    "termination_requires_settlement",
    "withdrawal_days",
    "withdrawal_business_days",
    "withdrawal_from",
    "violation_suspension_max_days",
    "upheld_appeal_extends_term",
    "silence_is_consent",
    "terms_refusal_outcome",
)


# --------------------------------------------------------------------------- contracts

LIVE_STATUSES = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.TERMINATING)
APPLICATION_STATUSES = (ContractStatus.APPLIED, ContractStatus.HELD, ContractStatus.APPROVED)
QUEUE_STATUSES = (ContractStatus.APPLIED, ContractStatus.HELD)
FINAL_STATUSES = (
    ContractStatus.REJECTED,
    ContractStatus.WITHDRAWN,
    ContractStatus.TERMINATED,
    ContractStatus.PURGED,
)



def customer_contracts(customer: Customer) -> QuerySet[Contract]:
    """Every contract of ``customer`` (another customer's contract reads as missing)."""
    return (
        Contract.objects.filter(customer=customer)
        .select_related("plan", "policy", "customer")
        .order_by("-applied_on", "-id")
    )


def live_contracts(customer: Customer) -> QuerySet[Contract]:
    """Contracts in service or ending (CON-13)."""
    return customer_contracts(customer).filter(status__in=LIVE_STATUSES)


def open_applications(customer: Customer) -> QuerySet[Contract]:
    """Applications not yet activated (CON-1..4)."""
    return customer_contracts(customer).filter(status__in=APPLICATION_STATUSES)


class ContractFilter(django_filters.FilterSet):
    """Contract list filters: by status (several allowed) and plan code."""

    status = django_filters.MultipleChoiceFilter(choices=ContractStatus.choices)
    plan = django_filters.CharFilter(field_name="plan__code")

    class Meta:
        model = Contract
        fields = ["status", "plan"]


def review_queue() -> QuerySet[Contract]:
    """Applications waiting for a staff decision (CON-2), with their checks and documents."""
    return Contract.objects.filter(status__in=QUEUE_STATUSES).prefetch_related("checks", "documents")


def review_queue_count() -> int:
    return Contract.objects.filter(status__in=QUEUE_STATUSES).count()


def customer_contract_detail(customer: Customer) -> QuerySet[Contract]:
    """As :func:`customer_contracts`, with what the detail page and API show prefetched."""
    return customer_contracts(customer).prefetch_related(
        Prefetch("periods", queryset=ContractPeriod.objects.select_related("policy")),
        "documents",
        "transitions",
        "schedule_changes",
        "suspensions",
        Prefetch("special_terms", queryset=SpecialTerm.objects.filter(active=True)),
    )


def policy_choices() -> list[tuple[str, str]]:
    """Each policy code once, labelled with its newest version's name, for the admin's list filters on
    a policy code (``contracts.admin.filters``): the policy table, never the listed one (issue 16)."""
    names: dict[str, str] = {}
    for code, name in Policy.objects.order_by("code", "-version").values_list("code", "name"):
        names.setdefault(code, name)
    return [(code, f"{name} ({code})") for code, name in names.items()]


def active_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(active=True).select_related("policy").order_by("policy__code", "code")


def required_documents(contract: Contract) -> list[dict[str, Any]]:
    """The plan's required documents (CON-3) with whether each has been uploaded."""
    have = {d.kind for d in contract.documents.all()}
    return [
        {"kind": kind, "label": str(RequiredDocument(kind).label), "uploaded": kind in have}
        for kind in (contract.plan.required_documents or [])
        if kind in RequiredDocument.values
    ]


@dataclass(frozen=True)
class PolicyValue:
    """One effective policy value with where it came from (CON-12)."""

    parameter: str
    label: str
    value: Any
    display: str
    source: Source
    citations: tuple[Any, ...] = ()  # resolved CitedPart: the clause the value comes from (TRM-1)

    @property
    def source_label(self) -> str:
        return self.source.label

    @property
    def special_term(self) -> SpecialTerm | None:
        return self.source.special_term


def display_value(parameter: str, value: Any) -> str:
    model_field = Policy._meta.get_field(parameter)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("예") if value else _("아니오")
    choices = getattr(model_field, "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def policy_values(contract: Contract) -> list[PolicyValue]:
    """The values of :data:`DISPLAY_PARAMETERS` and every overridden one, each with its source."""
    effective = effective_policy(contract)
    cited = cited_parts_by_field(effective.policy)
    names = list(DISPLAY_PARAMETERS)
    names += sorted(name for name in effective.overridden() if name not in names)
    rows = []
    for name in names:
        try:
            model_field = Policy._meta.get_field(name)
        except FieldDoesNotExist:  # a special term naming a parameter that no longer exists
            continue
        source = effective.source(name)
        rows.append(
            PolicyValue(
                parameter=name,
                label=str(getattr(model_field, "verbose_name", name)),
                value=source.value,
                display=display_value(name, source.value),
                source=source,
                citations=() if source.special_term is not None else cited.get(name, ()),
            )
        )
    return rows


@dataclass(frozen=True)
class Deadline:
    """A date the customer must act by, and the policy value (with its source) it comes from."""

    date: dt.date | None
    source: Source | None = None
    citations: tuple[Any, ...] = ()  # resolved CitedPart of the value's field (TRM-1)


def postpone_deadline(contract: Contract) -> Deadline | None:
    """CON-4: the last day the customer may postpone activation (``applications.postpone_deadline``)."""
    if contract.status not in applications.SCHEDULABLE:
        return None
    source = effective_policy(contract).source("activation_postpone_notice_days")
    cites = _cites(source, "activation_postpone_notice_days")
    return Deadline(applications.postpone_deadline(contract), source, cites)


def withdrawal_deadline(contract: Contract) -> Deadline | None:
    """CON-8: the cooling-off deadline while withdrawal is possible (before activation always)."""
    if not can(contract.status, ContractStatus.WITHDRAWN):
        return None
    source = effective_policy(contract).source("withdrawal_days")
    cites = _cites(source, "withdrawal_days")
    return Deadline(termination.withdrawal_deadline(contract), source, cites)


def renewal_stop_deadline(contract: Contract) -> Deadline | None:
    """CON-6: the last day a notice stops the renewal, for a live contract with a period."""
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.SUSPENDED):
        return None
    period = renewal.last_period(contract)
    if period is None:
        return None
    source = effective_policy(contract).source("renewal_notice_days")
    cites = _cites(source, "renewal_notice_days")
    return Deadline(renewal.renewal_notice_deadline(contract, period), source, cites)


def termination_earliest(contract: Contract, today: dt.date) -> Deadline | None:
    """CON-7: the earliest effective date a customer termination may take."""
    if not can(contract.status, ContractStatus.TERMINATING):
        return None
    source = effective_policy(contract).source("customer_termination_notice_days")
    cites = _cites(source, "customer_termination_notice_days")
    return Deadline(termination.earliest_termination_date(contract, today), source, cites)


# --------------------------------------------------------------------------- terms


@dataclass
class PendingTerms:
    """A published terms version affecting the customer, not yet in effect (TRM-3, TRM-4)."""

    release: TermsRelease
    contracts: list[Contract] = field(default_factory=list)
    consent: TermsConsent | None = None
    comparison: Any = None  # the 신구조문 대비표 (TermsComparison), filled by the consent page (TRM-3)
    articles: list[Any] = field(default_factory=list)  # the new version's articles (TermsArticle)

    @property
    def policy(self) -> Policy:
        return self.release.policy

    @property
    def previous(self) -> Policy:
        return self.release.previous

    @property
    def silence_is_consent(self) -> bool:
        """As stated in the publication notice (TRM-3): a price increase is never deemed accepted."""
        return bool(self.previous.silence_is_consent and not self.release.price_increase)

    @property
    def answered(self) -> bool:
        return self.consent is not None

    @property
    def refused(self) -> bool:
        return self.consent is not None and self.consent.decision == ConsentDecision.REFUSED

    @property
    def refusal_termination_allowed(self) -> bool:
        """TRM-5/TRM-6: the policy offers penalty-free termination on refusal (display only)."""
        return bool(
            self.release.price_increase
            or self.previous.terms_refusal_outcome == TermsRefusalOutcome.TERMINATE_WITHOUT_PENALTY
        )

    @property
    def refusal_outcome_label(self) -> str:
        if self.release.price_increase:
            return str(TermsRefusalOutcome.TERMINATE_WITHOUT_PENALTY.label)
        return str(TermsRefusalOutcome(self.previous.terms_refusal_outcome).label)

    @property
    def terminable_contracts(self) -> list[Contract]:
        """Contracts a refusal termination may be requested for, once refused and allowed."""
        if not (self.refused and self.refusal_termination_allowed):
            return []
        return [c for c in self.contracts if _terminable(c)]


def _terminable(contract: Contract) -> bool:
    """The termination service's own precondition (``termination.termination_check``)."""
    try:
        termination.termination_check(contract)
    except DomainError:
        return False
    return True


def pending_terms(customer: Customer, today: dt.date) -> list[PendingTerms]:
    """Releases whose previous version governs one of the customer's live contracts and that are
    not yet effective, oldest effective date first, with the customer's answer if any."""
    contracts = list(
        Contract.objects.filter(customer=customer, status__in=terms_services.LIVE).select_related(
            "plan", "policy"
        )
    )
    by_policy: dict[int, list[Contract]] = {}
    for contract in contracts:
        by_policy.setdefault(contract.policy_id, []).append(contract)
    releases = (
        TermsRelease.objects.filter(
            previous_id__in=list(by_policy), effective_on__gt=today, transitioned_on__isnull=True
        )
        .select_related("policy", "previous")
        .order_by("effective_on", "pk")
    )
    rows = [PendingTerms(release=r, contracts=by_policy.get(r.previous_id, [])) for r in releases]
    consents = {
        c.policy_id: c
        for c in TermsConsent.objects.filter(
            customer=customer, policy_id__in=[r.release.policy_id for r in rows]
        )
    }
    for row in rows:
        row.consent = consents.get(row.release.policy_id)
    return rows


def unanswered_terms_count(customer: Customer, today: dt.date) -> int:
    return sum(1 for row in pending_terms(customer, today) if not row.answered)


def contract_deadlines(contract: Contract, today: dt.date) -> dict[str, Deadline | None]:
    """The dates that apply to ``contract`` now, each with its policy source (CON-4, CON-6..8)."""
    return {
        "postpone_until": postpone_deadline(contract),
        "withdrawal_until": withdrawal_deadline(contract),
        "renewal_stop_until": renewal_stop_deadline(contract),
        "earliest_termination": termination_earliest(contract, today),
    }


# --------------------------------------------------------------------------- terms documents (TRM-1)


@dataclass(frozen=True)
class CitedPart:
    """One citation of a policy field, resolved against the version's terms document."""

    field: str
    field_label: str
    citation: Any  # contracts.terms_text.citations.Citation
    article: Any | None  # TermsArticle
    clause: dict[str, Any] | None
    problem: str  # "" when it resolves; article_missing | part_missing | no_document
    policy_id: int = 0  # the version whose document holds the article (for links)

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def anchor(self) -> str:
        return str(self.citation.anchor)

    @property
    def excerpt(self) -> str:
        if self.clause is not None:
            return str(self.clause["text"])
        return str(self.article.text) if self.article is not None else ""


def cited_parts_by_field(policy: Policy) -> dict[str, tuple[CitedPart, ...]]:
    """The resolved citations of every policy field, by field name (for links next to values)."""
    out: dict[str, list[CitedPart]] = {}
    for part in policy_citations(policy):
        if part.ok:
            out.setdefault(part.field, []).append(part)
    return {name: tuple(parts) for name, parts in out.items()}


def _cites(source: Source, field_name: str) -> tuple[CitedPart, ...]:
    if source.special_term is not None:  # a special term is its own source, not an article
        return ()
    return tuple(c for c in policy_citations(source.policy, fields=[field_name]) if c.ok)


def value_citations(effective: EffectivePolicy, field_names: Sequence[str]) -> tuple[CitedPart, ...]:
    """The resolved citations of the values ``field_names`` take under an effective policy, for a link
    next to a number a customer reads (TRM-1), each clause once; an unset value (none, off) and a value
    set by a special term cite nothing."""
    out: list[CitedPart] = []
    for name in field_names:
        source = effective.source(name)
        if source.value is None or source.value == "" or source.value is False:
            continue
        seen = {(c.policy_id, c.anchor) for c in out}
        out += [c for c in _cites(source, name) if (c.policy_id, c.anchor) not in seen]
    return tuple(out)


@dataclass(frozen=True)
class NoticeTerms:
    """What a TRM-3 notice links to: the new version's text and the clauses its changed numbers cite."""

    policy_id: int
    citations: tuple[CitedPart, ...]


def notice_terms(event: str, context: dict[str, Any], dedupe_key: str = "") -> NoticeTerms | None:
    """For a "terms.published" notice (TRM-3): the published version and, in it, the article of every
    rule number that changed (TRM-1). The release is named in the notice's context (``release_id``);
    notices sent before that carried it only in their dedupe key (``terms:<release>:customer:<id>``)."""
    if event != "terms.published":
        return None
    release_id = context.get("release_id")
    if release_id is None:
        parts = dedupe_key.split(":")
        release_id = parts[1] if len(parts) > 1 and parts[0] == "terms" else None
    if release_id is None or not str(release_id).isdigit():
        return None
    release = TermsRelease.objects.select_related("policy", "previous").filter(pk=int(release_id)).first()
    if release is None:
        return None
    from .services.terms_documents import parameter_changes  # services import selectors

    cited = cited_parts_by_field(release.policy)
    out: list[CitedPart] = []
    for change in parameter_changes(release.previous, release.policy):
        seen = {c.anchor for c in out}
        out += [c for c in cited.get(change.field, ()) if c.anchor not in seen]
    return NoticeTerms(release.policy_id, tuple(out))


def terms_articles(policy: Policy) -> list[Any]:
    """The version's articles in order (empty when no document was imported)."""
    return list(TermsArticle.objects.filter(document__policy=policy).order_by("position"))


def policy_citations(policy: Policy, *, fields: list[str] | None = None) -> list[CitedPart]:
    """Every citation in the policy fields' help texts that names this version's document (its
    ``citation_source``), resolved to the article and part; unresolved ones carry the problem so the
    admin can flag them (TRM-1)."""
    document = TermsDocument.objects.filter(policy=policy).first()
    source = document.citation_source if document is not None else citation_source_for(policy)
    if not source:
        return []
    articles = {a.key: a for a in terms_articles(policy)} if document is not None else {}
    found: list[CitedPart] = []
    for f in Policy._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        for citation in parse_citations(str(f.help_text)):
            if citation.document != source:
                continue
            if document is None:
                found.append(
                    CitedPart(f.name, str(f.verbose_name), citation, None, None, "no_document", policy.pk)
                )
                continue
            r = resolve(citation, articles, clauses_of=lambda a: a.clauses)
            clause = dict(r.clause) if r.clause is not None else None
            found.append(
                CitedPart(f.name, str(f.verbose_name), citation, r.article, clause, r.problem, policy.pk)
            )
    return found

"""What-if before a terms change (issue 17; TRM-1..6, BIL-2..9, DUN-1..4): what a draft version would do.

Staff draft the next version of a policy (a late-charge rate, a dunning day) and may propose new prices
for the plans the current version sells (a price lives on the plan, not the policy). :func:`whatif_run`
replays the next months of the book twice, under the current version and under the draft, and returns
per affected customer the invoices, late charges and dunning steps of each side and their difference,
so the TRM-3 notice can state the real effect.

**Nothing is committed.** Everything happens inside one ``transaction.atomic()`` block that is always
rolled back; the two sides are savepoints rolled back in turn after their rows were read. Side effects
that leave the database are never reached: notices and Celery tasks are queued with
``transaction.on_commit`` (dropped with the rollback), automatic charges go to a private
:class:`~billing.gateways.FakeGateway` instead of the configured gateway, and the jobs that only talk to
the outside (:data:`SKIPPED_JOBS`) are not run. No ``JobRun`` is written: the job functions are called
directly, with the clock frozen on each day as the runner does.

How a day is replayed: every daily job of the registry (``config/jobs.py``) in its order, for the whole
book (the jobs take only a date, no customer filter), then the customers' payments (:func:`_customers_pay`).
The daily loop is :func:`replay_days`, small on purpose so it can be swapped for a shared replay service.

How the draft is applied (the "new" side), through the product's own rules: on the day the replay
starts, the draft is announced as a ``TermsRelease`` (effective on the chosen date) and every affected
customer who has not answered is recorded as accepting it; on the effective date the ``terms_transition``
job moves the contracts and plans to the draft (TRM-4) exactly as it would after a real publication, and
the proposed plan prices apply from that day.

Assumptions (shown on the page): every affected customer accepts the new version; automatic charges
succeed as the fake gateway decides (declined tokens stay declined); a customer who pays by transfer and
owes nothing overdue today pays each invoice in full on its due date; a customer overdue today keeps not
paying. Invoices, late charges and dunning steps are counted from the effective date to the end of the
horizon.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from contracts.models import (
    ConsentDecision,
    Contract,
    DunningAction,
    Plan,
    Policy,
    TermsConsent,
    TermsRelease,
)
from contracts.services.terms import LIVE, text_hash
from core import clock
from core import jobs as core_jobs
from core.audit import acting_as
from core.calendar import add_months
from core.errors import DomainError
from core.fields import won_problem
from core.formatting import won

from ..gateways import FakeGateway
from ..gateways.fake import FakeState
from ..models import DunningStep, Invoice, LateCharge, Payment, PaymentMethod
from .facts import invoice_open_amount, unpaid_won
from .payments import payment_record

__all__ = [
    "PRICE_FIELDS",
    "SKIPPED_JOBS",
    "CustomerEffect",
    "Side",
    "WhatIf",
    "csv_name",
    "csv_table",
    "max_months",
    "replay_days",
    "whatif_defaults",
    "whatif_run",
]

#: Jobs that only reach outside the database (they would send the queued emails and poll the message
#: provider for real); the what-if leaves them out.
SKIPPED_JOBS = frozenset({"deliver_emails", "message_results"})
#: The plan prices a what-if may propose (a price lives on the plan: BIL-5, BIL-6).
PRICE_FIELDS = ("monthly_fee_won", "monthly_price_per_seat_won", "annual_monthly_price_per_seat_won")
DEFAULT_MONTHS = 3
AUTO_METHODS = (PaymentMethod.Kind.CMS, PaymentMethod.Kind.CARD)


def max_months() -> int:
    """The longest horizon staff may ask for (``WHATIF_MAX_MONTHS``, default 12): a sanity bound on the
    work a request starts, not a rule of the terms."""
    return int(getattr(settings, "WHATIF_MAX_MONTHS", 12))


# --------------------------------------------------------------------------- results


@dataclass
class Side:
    """One customer's horizon under one version."""

    invoices: int = 0
    supply_won: int = 0  # Σ invoice supply amounts (공급가액)
    invoiced_won: int = 0  # Σ invoice totals (VAT included where the invoice adds it)
    late_charges_won: int = 0  # late charges recorded (BIL-9)
    dunning_steps: list[tuple[dt.date, str]] = field(default_factory=list)  # (executed on, action)

    def step_labels(self) -> list[tuple[dt.date, str]]:
        """The dunning steps with their actions as people read them (DUN-1..4)."""
        return [(day, str(DunningAction(action).label)) for day, action in self.dunning_steps]


@dataclass
class CustomerEffect:
    customer_id: int
    legal_name: str
    old: Side
    new: Side

    @property
    def supply_diff_won(self) -> int:
        return self.new.supply_won - self.old.supply_won

    @property
    def invoiced_diff_won(self) -> int:
        return self.new.invoiced_won - self.old.invoiced_won

    @property
    def late_charges_diff_won(self) -> int:
        return self.new.late_charges_won - self.old.late_charges_won

    @property
    def dunning_diff(self) -> int:
        return len(self.new.dunning_steps) - len(self.old.dunning_steps)

    @property
    def changed(self) -> bool:
        return bool(
            self.invoiced_diff_won
            or self.late_charges_diff_won
            or self.old.dunning_steps != self.new.dunning_steps
        )


@dataclass
class WhatIf:
    draft: Policy
    previous: Policy
    start: dt.date
    effective_on: dt.date
    end: dt.date
    months: int
    prices: dict[int, dict[str, int]]
    rows: list[CustomerEffect]

    @property
    def invoiced_diff_won(self) -> int:
        return sum(r.invoiced_diff_won for r in self.rows)

    @property
    def late_charges_diff_won(self) -> int:
        return sum(r.late_charges_diff_won for r in self.rows)

    @property
    def changed_rows(self) -> list[CustomerEffect]:
        return [r for r in self.rows if r.changed]

    def summary(self) -> str:
        """A paragraph for the TRM-3 notice draft (Korean first; the caller's language)."""
        return gettext(
            "{start}부터 {end}까지 ({months}개월) 영향을 받는 고객 {customers}곳 중 "
            "{changed}곳의 청구 금액이 합계 {invoiced} 달라지고, 연체료는 합계 {late} 달라집니다."
        ).format(
            start=self.effective_on.isoformat(),
            end=self.end.isoformat(),
            months=self.months,
            customers=len(self.rows),
            changed=len(self.changed_rows),
            invoiced=_signed(self.invoiced_diff_won),
            late=_signed(self.late_charges_diff_won),
        )


def _signed(amount: int) -> str:
    """An amount of won as people read it (the active language), with "+" when it grows."""
    return ("+" if amount > 0 else "") + won(amount)


# --------------------------------------------------------------------------- checks


def previous_version(draft: Policy) -> Policy | None:
    """The version a draft replaces: the latest published version of its code."""
    return (
        Policy.objects.filter(code=draft.code, status=Policy.Status.PUBLISHED)
        .exclude(pk=draft.pk)
        .order_by("-version")
        .first()
    )


def whatif_defaults(draft: Policy, *, today: dt.date) -> tuple[Policy, dt.date]:
    """The version the draft replaces and the default effective date: the draft's own, else the earliest
    the current version's notice allows (TRM-2: 7 days, 30 for an unfavourable change)."""
    if draft.status != Policy.Status.DRAFT:
        raise DomainError(
            "whatif_not_draft",
            _("변경 효과는 초안 버전에서만 미리 볼 수 있습니다: {policy}"),
            field="policy",
            rule="TRM-1",
            policy=str(draft),
        )
    previous = previous_version(draft)
    if previous is None:
        raise DomainError(
            "whatif_no_previous",
            _("바꿀 게시 버전이 없습니다. 첫 버전은 아무 고객에게도 적용되지 않습니다: {policy}"),
            field="policy",
            rule="TRM-2",
            policy=str(draft),
        )
    if draft.effective_from and draft.effective_from > today:
        return previous, draft.effective_from
    days = previous.notice_days_for_change(unfavourable=draft.is_unfavourable)
    return previous, today + dt.timedelta(days=days)


def _check(
    *,
    previous: Policy,
    months: int,
    effective_on: dt.date,
    today: dt.date,
    prices: Mapping[int, Mapping[str, int]],
) -> dict[int, dict[str, int]]:
    if not 1 <= months <= max_months():
        raise DomainError(
            "whatif_months",
            _("기간은 1개월 이상 {max}개월 이하여야 합니다."),
            field="months",
            rule="TRM-3",
            max=max_months(),
        )
    if effective_on <= today:
        raise DomainError(
            "whatif_effective_on",
            _("시행일은 오늘({today}) 이후여야 합니다."),
            field="effective_on",
            rule="TRM-2",
            today=today.isoformat(),
        )
    plans = set(Plan.objects.filter(policy=previous).values_list("pk", flat=True))
    cleaned: dict[int, dict[str, int]] = {}
    for plan_id, changes in prices.items():
        if plan_id not in plans:
            raise DomainError(
                "whatif_plan", _("이 약관 버전의 요금제가 아닙니다."), field="prices", rule="TRM-1"
            )
        for name, value in changes.items():
            if name not in PRICE_FIELDS:
                raise DomainError(
                    "whatif_price_field",
                    _("바꿀 수 없는 가격 항목입니다: {name}"),
                    field=name,
                    rule="TRM-6",
                    name=name,
                )
            problem = won_problem(int(value))
            if problem:
                raise DomainError("whatif_price", problem, field=name, rule="TRM-6")
        if changes:
            cleaned[plan_id] = {name: int(value) for name, value in changes.items()}
    return cleaned


# --------------------------------------------------------------------------- the replay


def _jobs() -> list[core_jobs.JobSpec]:
    return [spec for spec in core_jobs.registry() if spec.name not in SKIPPED_JOBS]


def _payers(today: dt.date) -> set[int]:
    """Customers who pay by transfer and owe nothing overdue today: they pay each invoice on its due date."""
    auto = set(
        PaymentMethod.objects.filter(is_default=True, active=True, kind__in=AUTO_METHODS).values_list(
            "customer_id", flat=True
        )
    )
    billed = set(Invoice.objects.values_list("customer_id", flat=True).distinct())
    billed |= set(Contract.objects.filter(status__in=LIVE).values_list("customer_id", flat=True))
    return {
        customer.pk
        for customer in Customer.objects.filter(pk__in=billed - auto)
        if unpaid_won(customer, today) == 0
    }


def _customers_pay(day: dt.date, payers: set[int]) -> None:
    due = (
        Invoice.objects.filter(customer_id__in=payers, status=Invoice.Status.ISSUED, due_date__lte=day)
        .select_related("customer")
        .order_by("due_date", "pk")
    )
    for invoice in due:
        amount = invoice_open_amount(invoice)
        if amount > 0:
            payment_record(
                customer=invoice.customer,
                amount_won=amount,
                method=Payment.Method.BANK_TRANSFER,
                received_on=day,
                invoice=invoice,
                reference="what-if",
                today=day,
            )


def replay_days(start: dt.date, end: dt.date, *, payers: set[int], gateway: Any, on_day: Any = None) -> None:
    """Every daily job (all of the book) for each day from ``start`` to ``end``, then the payments."""
    specs = _jobs()
    for day in core_jobs.dates(start, end):
        if on_day is not None:
            on_day(day)
        for spec in specs:
            func = spec.resolve()
            kwargs = {"gateway": gateway} if spec.name == "collect_payments" else {}
            with clock.frozen(day), acting_as(job=spec.name):
                func(today=day, **kwargs)
        with clock.frozen(day), acting_as(job="whatif"):
            _customers_pay(day, payers)


def _announce(draft: Policy, previous: Policy, *, today: dt.date, effective_on: dt.date) -> None:
    """The draft as if published today, every affected customer accepting it (the "new" side only)."""
    TermsRelease.objects.create(
        policy=draft,
        previous=previous,
        published_on=today,
        effective_on=effective_on,
        unfavourable=draft.is_unfavourable,
        reasons=str(_("변경 효과 미리보기")),
    )
    answered = set(TermsConsent.objects.filter(policy=draft).values_list("customer_id", flat=True))
    customers = set(
        Contract.objects.filter(policy__code=draft.code, status__in=LIVE).values_list(
            "customer_id", flat=True
        )
    )
    TermsConsent.objects.bulk_create(
        TermsConsent(
            customer_id=pk,
            policy=draft,
            decision=ConsentDecision.ACCEPTED,
            text_hash=text_hash(draft),
            decided_at=clock.start_of_day(today),
            channel=TermsConsent.Channel.STAFF,
        )
        for pk in sorted(customers - answered)
    )


def _markers() -> dict[str, int]:
    return {
        "invoice": Invoice.objects.aggregate(m=Max("pk"))["m"] or 0,
        "late": LateCharge.objects.aggregate(m=Max("pk"))["m"] or 0,
        "step": DunningStep.objects.aggregate(m=Max("pk"))["m"] or 0,
    }


def _collect(customer_ids: Iterable[int], markers: dict[str, int]) -> dict[int, Side]:
    """What the side recorded after ``markers`` (the fork point) for these customers."""
    ids = list(customer_ids)
    sides: dict[int, Side] = defaultdict(Side)
    for invoice in Invoice.objects.filter(pk__gt=markers["invoice"], customer_id__in=ids).exclude(
        status=Invoice.Status.VOID
    ):
        side = sides[invoice.customer_id]
        side.invoices += 1
        side.supply_won += invoice.supply_won
        side.invoiced_won += invoice.total_won  # late-charge lines are counted when recorded, not twice
    for charge in LateCharge.objects.filter(
        pk__gt=markers["late"], invoice__customer_id__in=ids
    ).select_related("invoice"):
        sides[charge.invoice.customer_id].late_charges_won += charge.amount_won
    for step in (
        DunningStep.objects.filter(pk__gt=markers["step"], case__customer_id__in=ids)
        .select_related("case")
        .order_by("executed_on", "index")
    ):
        sides[step.case.customer_id].dunning_steps.append((step.executed_on, step.action))
    return dict(sides)


def whatif_run(
    *,
    draft: Policy,
    today: dt.date,
    months: int = DEFAULT_MONTHS,
    effective_on: dt.date | None = None,
    prices: Mapping[int, Mapping[str, int]] | None = None,
) -> WhatIf:
    """Replay ``today`` .. ``effective_on`` + ``months`` under the current version and under ``draft``
    (with the proposed plan ``prices``: plan pk → {field: won}), each in a savepoint rolled back, and
    return the effect per affected customer. Commits nothing; refuses bad input before any work."""
    previous, default_on = whatif_defaults(draft, today=today)
    effective_on = effective_on or default_on
    cleaned = _check(
        previous=previous, months=months, effective_on=effective_on, today=today, prices=prices or {}
    )
    end = add_months(effective_on, months) - dt.timedelta(days=1)
    affected = list(
        Customer.objects.filter(
            pk__in=Contract.objects.filter(policy__code=draft.code, status__in=LIVE).values("customer_id")
        ).order_by("legal_name", "pk")
    )
    ids = [c.pk for c in affected]
    results: dict[str, dict[int, Side]] = {}
    with transaction.atomic():
        try:
            payers = _payers(today)
            # The days before the effective date are the same on both sides: replayed once.
            replay_days(today, effective_on - dt.timedelta(days=1), payers=payers, gateway=_gateway())
            for name in ("old", "new"):
                point = transaction.savepoint()
                try:
                    if name == "new":
                        _announce(draft, previous, today=today, effective_on=effective_on)
                    markers = _markers()

                    def on_day(day: dt.date, apply_prices: bool = name == "new") -> None:
                        if apply_prices and day == effective_on:
                            for plan_id, changes in cleaned.items():
                                Plan.objects.filter(pk=plan_id).update(**changes)

                    replay_days(effective_on, end, payers=payers, gateway=_gateway(), on_day=on_day)
                    results[name] = _collect(ids, markers)
                finally:
                    transaction.savepoint_rollback(point)
        finally:
            transaction.set_rollback(True)
    rows = [
        CustomerEffect(
            customer_id=c.pk,
            legal_name=c.legal_name,
            old=results["old"].get(c.pk, Side()),
            new=results["new"].get(c.pk, Side()),
        )
        for c in affected
    ]
    return WhatIf(
        draft=draft,
        previous=previous,
        start=today,
        effective_on=effective_on,
        end=end,
        months=months,
        prices=cleaned,
        rows=rows,
    )


def _gateway() -> FakeGateway:
    """A gateway of the what-if's own: never the configured one (no real charge), fresh per side."""
    return FakeGateway(FakeState())


# --------------------------------------------------------------------------- the table as a file


def csv_table(result: WhatIf) -> tuple[list[str], list[list[Any]]]:
    """The per-customer table as CSV header and rows (amounts as numbers; the caller writes it through
    ``core.csvkit``)."""
    header = [
        gettext("고객"),
        gettext("종전 청구서 수"),
        gettext("새 청구서 수"),
        gettext("종전 공급가액(원)"),
        gettext("새 공급가액(원)"),
        gettext("종전 청구 금액(원)"),
        gettext("새 청구 금액(원)"),
        gettext("청구 금액 차이(원)"),
        gettext("종전 연체료(원)"),
        gettext("새 연체료(원)"),
        gettext("연체료 차이(원)"),
        gettext("종전 연체 조치"),
        gettext("새 연체 조치"),
    ]
    rows = [
        [
            r.legal_name,
            r.old.invoices,
            r.new.invoices,
            r.old.supply_won,
            r.new.supply_won,
            r.old.invoiced_won,
            r.new.invoiced_won,
            r.invoiced_diff_won,
            r.old.late_charges_won,
            r.new.late_charges_won,
            r.late_charges_diff_won,
            "; ".join(f"{day.isoformat()} {label}" for day, label in r.old.step_labels()),
            "; ".join(f"{day.isoformat()} {label}" for day, label in r.new.step_labels()),
        ]
        for r in result.rows
    ]
    return header, rows


def csv_name(result: WhatIf) -> str:
    return f"whatif-{result.draft.code}-v{result.draft.version}-{result.effective_on.isoformat()}.csv"


# --------------------------------------------------------------------------- in the background (issue 17)
#
# A what-if replays every daily job of the book over months: minutes on a real book, far past a web
# request's timeout. The page queues it (:func:`whatif_request`, a Celery task by name; eager in the demo)
# after refusing bad input at once, and reads the result (:func:`whatif_result`) from the cache, where the
# task leaves it for a day. Nothing is committed either way: the result lives only in the cache.

WHATIF_TASK = "billing.tasks.whatif"
RESULT_TTL_SECONDS = 24 * 60 * 60


@dataclass
class WhatIfRun:
    """One queued what-if: ``running``, ``done`` (``result``), ``refused`` (``message``) or ``failed``."""

    state: str
    draft_id: int
    result: WhatIf | None = None
    message: str = ""


def _run_key(token: str) -> str:
    return f"whatif:{token}"


def whatif_request(
    *,
    draft: Policy,
    today: dt.date,
    months: int = DEFAULT_MONTHS,
    effective_on: dt.date | None = None,
    prices: Mapping[int, Mapping[str, int]] | None = None,
) -> str:
    """Check the request now (a refusal names its field before any work, TRM-3), then queue the replay
    once the current transaction commits; returns the run's token for :func:`whatif_result`."""
    previous, default_on = whatif_defaults(draft, today=today)
    on = effective_on or default_on
    _check(previous=previous, months=months, effective_on=on, today=today, prices=prices or {})
    token = uuid.uuid4().hex
    cache.set(_run_key(token), WhatIfRun(state="running", draft_id=draft.pk), RESULT_TTL_SECONDS)
    kwargs = {
        "token": token,
        "draft_id": draft.pk,
        "today": today.isoformat(),
        "months": months,
        "effective_on": effective_on.isoformat() if effective_on else None,
        "prices": {str(plan): dict(fields) for plan, fields in (prices or {}).items()},
    }
    transaction.on_commit(lambda: current_app.tasks[WHATIF_TASK].apply_async(kwargs=kwargs))
    return token


def whatif_compute(
    *,
    token: str,
    draft_id: int,
    today: str,
    months: int,
    effective_on: str | None,
    prices: dict[str, dict[str, int]],
) -> WhatIfRun:
    """The task's body: run the what-if and leave its result (or its refusal) in the cache."""
    draft = Policy.objects.get(pk=draft_id)
    try:
        result = whatif_run(
            draft=draft,
            today=dt.date.fromisoformat(today),
            months=months,
            effective_on=dt.date.fromisoformat(effective_on) if effective_on else None,
            prices={int(plan): fields for plan, fields in prices.items()},
        )
    except DomainError as error:  # the book changed since the request was checked
        run = WhatIfRun(state="refused", draft_id=draft_id, message=error.message)
    except Exception:
        cache.set(_run_key(token), WhatIfRun(state="failed", draft_id=draft_id), RESULT_TTL_SECONDS)
        raise
    else:
        run = WhatIfRun(state="done", draft_id=draft_id, result=result)
    cache.set(_run_key(token), run, RESULT_TTL_SECONDS)
    return run


def whatif_result(token: str, *, draft: Policy) -> WhatIfRun | None:
    """The run queued under ``token`` for ``draft``; None when unknown, expired or another draft's."""
    run = cache.get(_run_key(token)) if token.isalnum() else None
    if not isinstance(run, WhatIfRun) or run.draft_id != draft.pk:
        return None
    return run

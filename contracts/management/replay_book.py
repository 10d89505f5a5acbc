"""The replayed book of ``manage.py replay`` (and ``manage.py demo --year``): the demo customers plus a few
more, and the scripted events of each preset, played on their day by the day loop (``core.replay``).

The book is the demo's (``seed_demo``: one customer per preset, opened on the first day of the range, the
customers paying by CMS, card or bank transfer, the messaging customer sending every day, the overdue
customer stopping a month before the end), with:

* 주식회사 세종데이터 (dcloud) paying its first invoice ``LATE_DAYS`` days late (late fee BIL-9, dunning
  steps, then DUN-1 when it pays);
* 주식회사 한결클라우드 (dcloud, CMS), which ends its one-year contract early (CON-7, penalty BIL-14);
* 주식회사 다솜커머스 (flow), which applies during the range, is approved and opened by the activation job
  (ACC-3, CON-1, CON-4) and hands out seats (ACC-5).

Every event goes through the services the admin, the portal and the API call (applications, seats,
disputes, incidents, termination, terms); nothing writes rows itself. An event happens on its day
(``Event.day`` days after the first day of the range); events after the end of the range do not happen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Member
from billing.models import Dispute, Invoice
from billing.services import disputes
from contracts.models import Contract, ContractStatus, Plan
from contracts.services import applications, seats, termination
from core import clock
from core.errors import DomainError
from core.replay import DayHook
from sla.models import Incident
from sla.services import incidents

from .commands import seed_demo
from .commands.seed_demo import PAY_CARD, PAY_CMS, DemoCustomer, DemoMember

log = logging.getLogger(__name__)

PRESETS = ("officecore", "flow", "dcloud", "kgmsg", "damoa")
#: The day hook's job name (one run per replayed date, see ``core.replay``).
EVENTS_JOB = "replay_scripted_events"
#: 세종데이터 pays its first invoice this many days after the due date.
LATE_DAYS = 20

#: The customers the replay adds to the demo's (found again by business number on a second run).
HANGYEOL = DemoCustomer(
    "dcloud",
    "dcloud-vm-standard",
    "주식회사 한결클라우드",
    "오세훈",
    "220817777",
    "광주광역시 북구 첨단과기로 123, 4층",
    "hangyeol.example",
    (DemoMember("hangyeol-admin", "문가영", Member.Role.ADMIN, "인프라운영팀"),),
    pays=PAY_CMS,
)
DASOM = DemoCustomer(
    "flow",
    "flow-business-monthly",
    "주식회사 다솜커머스",
    "배수지",
    "402815555",
    "대구광역시 수성구 알파시티1로 170, 6층",
    "dasom.example",
    (
        DemoMember("dasom-admin", "배수지", Member.Role.ADMIN, "경영지원팀"),
        DemoMember("dasom-lee", "이도현", department="MD팀"),
        DemoMember("dasom-song", "송하윤", department="CS팀"),
    ),
    pays=PAY_CARD,
    activate=False,
)
#: Members hired (a seat given) and leaving (the seat released) during the range.
NEW_OFFICE_MEMBER = DemoMember("hanbit-jang", "장예준", department="기획팀")


def book(presets: Sequence[str]) -> list[DemoCustomer]:
    """The customers opened on the first day, for the chosen presets (the applicant comes later)."""
    chosen = []
    for spec in [*seed_demo.DEMO_CUSTOMERS, HANGYEOL]:
        if spec.preset not in presets:
            continue
        if spec.legal_name == "주식회사 세종데이터":
            spec = dataclasses.replace(spec, first_invoice_late_days=LATE_DAYS)
        chosen.append(spec)
    return chosen


def spec_for(legal_name: str) -> DemoCustomer:
    return next(s for s in [*seed_demo.DEMO_CUSTOMERS, HANGYEOL, DASOM] if s.legal_name == legal_name)


def _contract(legal_name: str) -> Contract | None:
    spec = spec_for(legal_name)
    return (
        Contract.objects.filter(customer__business_number=spec.business_number, plan__code=spec.plan)
        .select_related("customer", "plan__policy")
        .order_by("-pk")
        .first()
    )


def _admin(contract: Contract) -> Member | None:
    return contract.customer.members.filter(role=Member.Role.ADMIN).order_by("pk").first()


# --------------------------------------------------------------------------- the events


def apply_dasom(today: dt.date) -> str:
    """다솜커머스 applies for flow with its documents (ACC-3, CON-3): the application waits for staff."""
    result = seed_demo.SeedResult()
    customer = seed_demo._customer(DASOM, today, result)
    admin = seed_demo._members(DASOM, customer, result)
    contract = seed_demo._contract(DASOM, customer, admin, today, result)
    seed_demo._payment_method(DASOM, customer, result)
    return f"{contract.number} 신청 접수"


def approve_dasom(today: dt.date) -> str:
    """Staff approve the application, opening in two days: the activation job opens it (CON-1, CON-4)."""
    contract = _contract(DASOM.legal_name)
    if contract is None or contract.status not in (ContractStatus.APPLIED, ContractStatus.HELD):
        return ""
    contract = applications.contract_approve(
        contract=contract,
        today=today,
        activation_date=today + dt.timedelta(days=2),
        note="서류 확인 완료 (재현 시나리오)",
    )
    return f"{contract.number} 승낙, 개통 예정 {contract.activation_date}"


def seats_dasom(today: dt.date) -> str:
    """다솜커머스's admin hands every member a seat (ACC-5; flow bills the month's peak, BIL-5)."""
    contract = _contract(DASOM.legal_name)
    if contract is None or contract.status != ContractStatus.ACTIVE:
        return ""
    held = set(seats.open_assignments(contract).values_list("member_id", flat=True))
    given = 0
    for member in contract.customer.members.filter(status=Member.Status.ACTIVE).order_by("pk"):
        if member.pk not in held:
            seats.seat_assign(contract=contract, member=member, today=today)
            given += 1
    return f"좌석 {given}개 배정"


def hire_office_member(today: dt.date) -> str:
    """한빛오피스 hires a member and gives them a seat (ACC-4, ACC-5; the next invoice bills it, BIL-5)."""
    from accounts import services as account_services

    contract = _contract("주식회사 한빛오피스")
    if contract is None or not contract.is_live:
        return ""
    member = Member.objects.filter(login_id=NEW_OFFICE_MEMBER.login_id).first()
    if member is None:
        member = account_services.member_add(
            customer=contract.customer,
            login_id=NEW_OFFICE_MEMBER.login_id,
            name=NEW_OFFICE_MEMBER.name,
            email="jang@hanbit-office.example",
            role=NEW_OFFICE_MEMBER.role,
            password=seed_demo.DEMO_PASSWORD,
            mobile="010-3777-5511",
            department=NEW_OFFICE_MEMBER.department,
            actor=None,
        )
    if seats.quota_applies(contract) and seats.seats_in_use(contract) >= contract.seats:
        return f"{member.name} 입사 (좌석 한도 {contract.seats}개로 배정 없음)"
    seats.seat_assign(contract=contract, member=member, today=today)
    return f"{member.name} 입사, 좌석 배정"


def office_member_leaves(today: dt.date) -> str:
    """A 한빛오피스 member leaves: the admin releases the seat (ACC-5)."""
    contract = _contract("주식회사 한빛오피스")
    member = Member.objects.filter(login_id="hanbit-choi").first()
    if contract is None or member is None or not contract.is_live:
        return ""
    if not seats.open_assignments(contract).filter(member=member).exists():
        return ""
    seats.seat_release(contract=contract, member=member, today=today)
    return f"{member.name} 퇴사, 좌석 반납"


def office_incident(today: dt.date) -> str:
    """Yesterday's six-hour outage of officecore, recorded by staff after the fact (SLA-1): it counts
    (2 hours or more, SLA-3) and the month's close issues the credit (SLA-4, BIL-17)."""
    started = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(9, 30), tzinfo=clock.SEOUL)
    incident = incidents.incident_open(
        service="officecore",
        title="메일 수신 지연 및 접속 장애",
        today=today,
        now=clock.now(),
        detected_at=started,
        ended_at=started + dt.timedelta(hours=6),
        description="메일 저장소 장애로 6시간 동안 서비스를 이용할 수 없었습니다 (재현 시나리오).",
    )
    return f"장애 #{incident.pk} {incident.started_at:%H:%M}~{incident.ended_at:%H:%M}"


def damoa_incident(today: dt.date) -> str:
    """A 30-hour outage of the whole damoa service that ended yesterday (SLA-1; damoa counts a day or
    more, SLA-3, SLA-4)."""
    started = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(6, 0), tzinfo=clock.SEOUL)
    incident = incidents.incident_open(
        service="damoa",
        title="전체 서비스 중단",
        today=today,
        now=clock.now(),
        detected_at=started,
        reported_at=started,
        ended_at=started + dt.timedelta(hours=30),
        description="데이터센터 전원 장애 (재현 시나리오).",
    )
    return f"장애 #{incident.pk} {incident.started_at:%m-%d %H:%M}~{incident.ended_at:%m-%d %H:%M}"


def office_dispute(today: dt.date) -> str:
    """한빛오피스 disputes a tenth of the largest line of its latest paid invoice (BIL-10; upheld, the paid
    money becomes a credit, offset against the next invoice, BIL-17), or of its latest invoice when none
    is paid or the paid one is out of the window."""
    contract = _contract("주식회사 한빛오피스")
    if contract is None:
        return ""
    invoices = Invoice.objects.filter(customer=contract.customer).exclude(status=Invoice.Status.VOID)
    candidates = [
        invoices.filter(status=Invoice.Status.PAID).order_by("-issue_date", "-pk").first(),
        invoices.order_by("-issue_date", "-pk").first(),
    ]
    for invoice in candidates:
        line = invoice.lines.order_by("-amount_won", "pk").first() if invoice else None
        if invoice is None or line is None or line.amount_won < 10:
            continue
        try:
            dispute = disputes.dispute_file(
                invoice=invoice,
                line=line,
                amount_won=max(line.amount_won // 10, 1),
                today=today,
                member=_admin(contract),
                reason="퇴사 예정자 계정 1명분이 청구되었습니다. 감액을 요청합니다.",
            )
        except DomainError:  # out of the window: nothing was written, try the next
            continue
        return f"{invoice.number} 이의신청 {dispute.amount_won:,}원"
    return ""


def office_dispute_answer(today: dt.date) -> str:
    """Staff uphold the dispute's amount (BIL-10): a credit note, the ladder told (DUN-1)."""
    contract = _contract("주식회사 한빛오피스")
    dispute = (
        Dispute.objects.filter(customer=contract.customer, status=Dispute.Status.OPEN).order_by("pk").first()
        if contract
        else None
    )
    if dispute is None:
        return ""
    dispute = disputes.dispute_decide(
        dispute=dispute,
        upheld_amount_won=dispute.amount_won,
        answer="확인 결과 청구 오류로 감액합니다.",
        today=today,
    )
    return f"{dispute.get_status_display()} {dispute.upheld_amount_won:,}원"


def hangyeol_terminates(today: dt.date) -> str:
    """한결클라우드 ends its one-year contract early with the policy's notice (CON-7): the final settlement
    charges the early-termination penalty (BIL-14, BIL-15)."""
    contract = _contract(HANGYEOL.legal_name)
    if contract is None or contract.status != ContractStatus.ACTIVE:
        return ""
    effective = termination.earliest_termination_date(contract, today)
    contract = termination.termination_request(
        contract=contract,
        effective_on=effective,
        today=today,
        reason="사업 축소로 서버 이전 (재현 시나리오)",
    )
    return f"{contract.number} 해지 신청, 효력일 {effective}"


def terms_change(today: dt.date) -> str:
    """dcloud v2 (a lower late-fee rate) published with 30 days' notice (TRM-1..3); the terms job turns the
    silence into consent on the effective day (TRM-4)."""
    seed_demo._terms_change(today)
    return "dcloud 약관 v2 공고 (연체료율 월 1.5% → 1.25%)"


@dataclass(frozen=True)
class Event:
    day: int  # days after the first day of the range
    preset: str
    title: str | Promise  # shown in the report, in its language
    rules: str  # rule ids, as cited in the report
    play: Callable[[dt.date], str]


EVENTS: tuple[Event, ...] = (
    Event(5, "flow", _("다솜커머스 이용 신청 (서류 제출)"), "ACC-3, CON-1, CON-3", apply_dasom),
    Event(7, "flow", _("다솜커머스 신청 승낙 (이틀 뒤 개통)"), "CON-1, CON-4", approve_dasom),
    Event(10, "flow", _("다솜커머스 좌석 배정"), "ACC-5, BIL-5", seats_dasom),
    Event(12, "officecore", _("한빛오피스 장애 6시간"), "SLA-1, SLA-3, SLA-4", office_incident),
    Event(15, "officecore", _("한빛오피스 신규 입사자 좌석 배정"), "ACC-4, ACC-5, BIL-5", hire_office_member),
    Event(20, "dcloud", _("한결클라우드 중도 해지 신청"), "CON-7, BIL-14", hangyeol_terminates),
    # After 세종데이터's late first invoice is paid (by day ~76), so its late fee is all under v1.
    Event(50, "dcloud", _("dcloud 약관 개정 공고"), "TRM-1, TRM-2, TRM-3, TRM-4", terms_change),
    Event(40, "officecore", _("한빛오피스 이의신청"), "BIL-10", office_dispute),
    Event(
        47, "officecore", _("한빛오피스 이의신청 인용 (크레딧 노트)"), "BIL-10, DUN-1", office_dispute_answer
    ),
    Event(50, "officecore", _("한빛오피스 퇴사자 좌석 반납"), "ACC-5", office_member_leaves),
    Event(70, "damoa", _("다온상사 전체 장애 30시간"), "SLA-1, SLA-3, SLA-4", damoa_incident),
)


class Script:
    """The events of the chosen presets from ``start``: a day hook playing each on its day."""

    def __init__(self, presets: Sequence[str], start: dt.date) -> None:
        self.presets, self.start = tuple(presets), start

    def events_on(self, today: dt.date) -> list[Event]:
        offset = (today - self.start).days
        return [e for e in EVENTS if e.day == offset and e.preset in self.presets]

    def schedule(self, end: dt.date) -> list[tuple[dt.date, Event]]:
        """Every event of the chosen presets that falls in the range, with its date."""
        return [
            (self.start + dt.timedelta(days=e.day), e)
            for e in EVENTS
            if e.preset in self.presets and self.start + dt.timedelta(days=e.day) <= end
        ]

    def play(self, *, today: dt.date) -> dict[str, int]:
        counts: dict[str, int] = {}
        for event in self.events_on(today):
            try:
                with transaction.atomic():  # an event happens completely or not at all
                    event.play(today)
            except DomainError as exc:
                # A rule refused it (the range made it impossible): recorded and logged, the day goes on.
                log.warning("scripted event %r refused on %s: %s", str(event.title), today, exc)
                counts["refused"] = counts.get("refused", 0) + 1
                continue
            counts["events"] = counts.get("events", 0) + 1
        return counts

    def hook(self) -> DayHook:
        return DayHook(
            EVENTS_JOB,
            self.play,
            "재현: 프리셋별 시나리오 사건 (신청, 좌석, 장애, 이의신청, 해지, 약관 개정)",
        )


def presets_from(option: str) -> list[str]:
    """``all`` or a comma-separated list of preset codes."""
    if option == "all":
        return list(PRESETS)
    chosen = [p.strip() for p in option.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in PRESETS]
    if unknown or not chosen:
        raise ValueError(f"--preset: one of {', '.join(PRESETS)} or all, not {option!r}")
    return chosen


def plan_codes(presets: Sequence[str]) -> list[str]:
    return list(Plan.objects.filter(policy__code__in=presets).values_list("code", flat=True))


def contracts_of(presets: Sequence[str]) -> list[Contract]:
    """Every contract of ``presets`` in the database: a replay database holds the replayed book, and a
    customer purged after its retention period (DAT-2) no longer carries the business number it was
    seeded with, yet its contract, invoices and settlement belong in the report."""
    return list(
        Contract.objects.filter(plan__policy__code__in=presets)
        .select_related("customer", "plan__policy", "policy")
        .order_by("plan__policy__code", "pk")
    )


def incidents_of(presets: Sequence[str], start: dt.date, end: dt.date) -> list[Incident]:
    return list(
        Incident.objects.filter(
            service__in=presets, started_at__date__gte=start, started_at__date__lte=end
        ).order_by("started_at")
    )

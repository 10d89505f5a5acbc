"""Demo data: one customer per preset with members, a live contract and three months of billing,
plus a pending application.

Idempotent: a customer is found by its business number, a member or staff user by its
login, a contract by customer and plan; whatever exists is left alone and whatever is
missing (or half-way, such as an application not yet approved) is completed. Every
write goes through the services (``accounts.services``, ``contracts.services``,
``billing.services``), so the demo data has the same audit trail, notices and checks as
real data.

History: the live contracts are applied for, approved and activated ``HISTORY_DAYS`` before
today, then the whole daily job list (``config/jobs.py``) is replayed for every day up to today
(the day loop ``core.replay.replay``): invoices are issued, seats snapshotted, tax invoices prepared, CMS and
card customers charged, late charges recorded and the dunning ladders walked. One extra job,
``demo_customer_activity``, registered only while seeding and run last each day, plays the
customers: the messaging customer (its calling number approved while seeding) sends a few SMS/LMS a
day through ``messaging.services.sending`` and the fake provider, billed at month end from the delivered
messages (``billing.services.usage.usage_totals``), and the customers who pay by bank transfer deposit
their invoices' amounts, imported as that day's
bank statement (a generated CP949 CSV, ``billing.services.bank.bank_statement_import``). The
members hold seats from the start (``contracts.services.seats``), which the seat-billed plans bill.
주식회사 세종데이터 (dcloud) stops paying a month before today, so it has an overdue invoice walking
its ladder (notices, late charges, restriction at day 30). After the replay 주식회사 한빛오피스
files a dispute on its latest invoice (``billing.services.disputes.dispute_file``), which stays
open for staff to answer. Replayed days
are recorded (``JobRun``), so a second run replays nothing and a run on a later day only replays
the days in between.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from accounts import services as account_services
from accounts.models import Customer, Member
from accounts.validators import business_number_check_digit, format_business_number
from billing.models import BankStatementImport, BankTransaction, Dispute, Invoice, Payment, PaymentMethod
from billing.services import bank, disputes, dunning, late_charges, ledger, payments
from contracts.models import Contract, ContractStatus, Plan, Policy, RequiredDocument
from contracts.policy import policy_clone, policy_update
from contracts.presets import load_presets
from contracts.services import applications, seats, terms, terms_documents
from contracts.services.messaging_limits import POLICY_CODE as MESSAGING_POLICY
from contracts.services.messaging_limits import messaging_limits_for
from core import clock, csvkit, replay
from core.audit import acting_as
from messaging.models import SenderNumber
from messaging.providers import FAKE
from messaging.services import senders, sending
from messaging.services.dispatch import dispatch_messages
from messaging.services.results import results_collect

#: The demo logins' password (members and staff); the superuser's is ``ADMIN_PASSWORD``.
DEMO_PASSWORD = "termsops-demo-2026"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "termsops-admin-2026"
#: One staff user per group (ACC-11): username → group.
STAFF_USERS = {
    "ops-support": "support",
    "ops-billing": "billing",
    "ops-sla": "sla",
    "ops-messaging": "messaging",
    "ops-compliance": "compliance",
}
#: How far back the live contracts start; the daily jobs are replayed from then to today.
HISTORY_DAYS = 90
#: The seeding-only job that plays the customers (messages sent, bank transfers), run last each replayed day.
FEED_JOB = "demo_customer_activity"
#: A bank-transfer customer pays an invoice this many days after it is issued (or on its due date).
PAY_AFTER_DAYS = 3
#: The overdue customer pays only invoices due more than this many days before today.
OVERDUE_WINDOW_DAYS = 31

# How a demo customer pays (DemoCustomer.pays).
PAY_CMS = "cms"  # CMS auto-debit through the gateway (collect_payments)
PAY_CARD = "card"  # card auto-charge through the gateway
PAY_BANK = "bank"  # bank transfer, read from the daily bank statement
PAY_OVERDUE = "overdue"  # bank transfer, but stopped paying OVERDUE_WINDOW_DAYS before today

PAY_LABELS = {
    PAY_CMS: "CMS 자동이체 (CMS auto-debit)",
    PAY_CARD: "카드 자동결제 (card)",
    PAY_BANK: "무통장 입금 (bank transfer)",
    PAY_OVERDUE: "무통장 입금, 연체 중 (bank transfer, overdue)",
}

_CLOSED = (
    ContractStatus.REJECTED, ContractStatus.WITHDRAWN, ContractStatus.TERMINATED, ContractStatus.PURGED,
)


@dataclass(frozen=True)
class DemoMember:
    login_id: str
    name: str
    role: str = Member.Role.MEMBER
    department: str = ""


@dataclass(frozen=True)
class DemoCustomer:
    preset: str
    plan: str
    legal_name: str
    representative_name: str
    number_prefix: str  # nine digits; the ACC-2 check digit is computed
    address: str
    domain: str
    members: tuple[DemoMember, ...]
    kind: str = Customer.Kind.CORPORATION
    activate: bool = True  # False: the application waits in the admin queue
    pays: str = PAY_BANK
    # A bank-transfer customer pays its first invoice this many days after the due date (a late payment:
    # late charges and dunning steps, then DUN-1); 0 = on time. ``manage.py replay`` scripts it.
    first_invoice_late_days: int = 0

    @property
    def pays_label(self) -> str:
        return PAY_LABELS.get(self.pays, "") if self.activate else ""

    @property
    def payer_name(self) -> str:
        """How the customer's name reads on a bank statement: "(주)한빛오피스"."""
        return self.legal_name.replace("주식회사 ", "(주)")

    @property
    def business_number(self) -> str:
        return self.number_prefix + str(business_number_check_digit(self.number_prefix))


DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer(
        "officecore", "officecore-standard-monthly", "주식회사 한빛오피스", "김민준", "120812345",
        "서울특별시 강남구 테헤란로 152, 12층", "hanbit-office.example",
        (DemoMember("hanbit-admin", "이서연", Member.Role.ADMIN, "경영지원팀"),
         DemoMember("hanbit-park", "박도윤", department="영업팀"),
         DemoMember("hanbit-choi", "최하은", department="인사팀")),
        pays=PAY_CMS,
    ),
    DemoCustomer(
        "flow", "flow-business-monthly", "주식회사 누리랩", "박지훈", "214876543",
        "경기도 성남시 분당구 판교역로 235, 에이치스퀘어 N동 7층", "nurilab.example",
        (DemoMember("nuri-admin", "강예린", Member.Role.ADMIN, "플랫폼팀"),
         DemoMember("nuri-kang", "강민호", department="개발팀"),
         DemoMember("nuri-yoon", "윤지우", department="디자인팀")),
        pays=PAY_CARD,
    ),
    DemoCustomer(
        "dcloud", "dcloud-vm-standard", "주식회사 세종데이터", "최수아", "305811122",
        "대전광역시 유성구 대학로 99, 7층", "sejongdata.example",
        (DemoMember("sejong-admin", "정현우", Member.Role.ADMIN, "인프라팀"),
         DemoMember("sejong-jung", "정다은", department="데이터팀"),
         DemoMember("sejong-lim", "임채원", department="보안팀")),
        pays=PAY_OVERDUE,
    ),
    DemoCustomer(
        "kgmsg", "kgmsg-standard", "주식회사 바로알림", "정우진", "101864321",
        "서울특별시 마포구 월드컵북로 396, 15층", "baroalim.example",
        (DemoMember("baro-admin", "한소희", Member.Role.ADMIN, "고객경험팀"),
         DemoMember("baro-han", "한지호", department="마케팅팀"),
         DemoMember("baro-oh", "오수빈", department="CS팀")),
    ),
    DemoCustomer(
        "damoa", "damoa-standard", "다온상사", "한지민", "617234567",
        "부산광역시 해운대구 센텀중앙로 79, 5층", "daon-trading.example",
        (DemoMember("daon-admin", "한지민", Member.Role.ADMIN, "대표"),
         DemoMember("daon-seo", "서준영", department="영업부"),
         DemoMember("daon-kim", "김나래", department="고객관리부")),
        kind=Customer.Kind.INDIVIDUAL_BUSINESS,
    ),
    DemoCustomer(
        "dcloud", "dcloud-vm-performance", "주식회사 새봄유통", "윤서준", "131868888",
        "인천광역시 연수구 컨벤시아대로 165, 3층", "saebom.example",
        (DemoMember("saebom-admin", "윤하린", Member.Role.ADMIN, "전산팀"),),
        activate=False,
    ),
)


@dataclass(frozen=True)
class OverdueCase:
    """The overdue demo customer's oldest unpaid invoice and where it stands on its ladder."""

    legal_name: str
    login_id: str
    invoice_number: str
    due_date: dt.date
    days_overdue: int
    overdue_won: int
    late_charges_won: int  # accrued so far (BIL-9: posted per finished month, billed on the next invoice)
    current_step: str  # the last step executed, "" before the first
    next_step: str
    next_on: dt.date | None


@dataclass
class SeedResult:
    customers_created: int = 0
    members_created: int = 0
    contracts_created: int = 0
    contracts_activated: int = 0
    staff_created: int = 0
    admin_created: bool = False
    payment_methods_created: int = 0
    days_replayed: int = 0
    disputes_created: int = 0
    customers: list[tuple[DemoCustomer, Contract]] = field(default_factory=list)
    # What exists now (read after seeding, whether or not this run created it).
    history_from: dt.date | None = None
    invoices: int = 0
    invoices_paid: int = 0
    payments_auto: int = 0  # CMS and card charges that succeeded
    payments_bank: int = 0  # bank transfers matched from imported statements
    statements: int = 0
    bank_unmatched: int = 0  # deposits waiting in the staff queue
    overdue: OverdueCase | None = None
    dispute: Dispute | None = None
    replayed: replay.ReplayResult | None = None  # the day loop's figures (days, job runs, seconds)


def demo_document(customer: DemoCustomer, kind: str, plan_name: str, today: dt.date) -> SimpleUploadedFile:
    """A one-page PDF standing in for the document (Korean text in a built-in CID font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "HYSMyeongJo-Medium"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont(font, 16)
    pdf.drawString(72, 760, f"{RequiredDocument(kind).label} (데모 서류)")
    pdf.setFont(font, 11)
    lines = [
        f"상호: {customer.legal_name}",
        f"대표자: {customer.representative_name}",
        f"사업자등록번호: {format_business_number(customer.business_number)}",
        f"주소: {customer.address}",
        f"신청 요금제: {plan_name}",
        f"작성일: {today.isoformat()}",
        "이 문서는 텀즈옵스 데모용으로 생성된 견본입니다.",
    ]
    for i, line in enumerate(lines):
        pdf.drawString(72, 720 - i * 20, line)
    pdf.showPage()
    pdf.save()
    return SimpleUploadedFile(f"{kind}.pdf", buffer.getvalue(), content_type="application/pdf")


def _customer(spec: DemoCustomer, today: dt.date, result: SeedResult) -> Customer:
    existing = (
        Customer.objects.filter(business_number=spec.business_number)
        .exclude(status__in=[Customer.Status.CLOSED, Customer.Status.PURGED])
        .first()
    )
    if existing is not None:
        return existing
    result.customers_created += 1
    return account_services.customer_create(
        legal_name=spec.legal_name, representative_name=spec.representative_name,
        billing_email=f"billing@{spec.domain}", billing_mobile="010-2345-6789", today=today, actor=None,
        kind=spec.kind, business_number=spec.business_number, address=spec.address,
        payer_contact=f"finance@{spec.domain}",
    )


def _members(spec: DemoCustomer, customer: Customer, result: SeedResult) -> Member:
    admin: Member | None = None
    for i, m in enumerate(spec.members):
        member = Member.objects.filter(login_id=m.login_id).first()
        if member is None:
            member = account_services.member_add(
                customer=customer, login_id=m.login_id, name=m.name,
                email=f"{m.login_id.split('-', 1)[1]}@{spec.domain}", role=m.role, password=DEMO_PASSWORD,
                mobile=f"010-{3100 + i * 111:04d}-{5200 + i * 37:04d}", department=m.department, actor=None,
            )
            result.members_created += 1
        if m.role == Member.Role.ADMIN and admin is None:
            admin = member
    assert admin is not None, f"{spec.legal_name} needs an admin member"
    return admin


def _contract(spec: DemoCustomer, customer: Customer, admin: Member, today: dt.date,
              result: SeedResult) -> Contract:
    plan = Plan.objects.get(code=spec.plan)
    contract = (
        Contract.objects.filter(customer=customer, plan=plan).exclude(status__in=_CLOSED)
        .order_by("pk").first()
    )
    if contract is None:
        contract = applications.contract_apply(
            customer=customer, plan=plan, requested_start=today, today=today, member=admin,
        )
        result.contracts_created += 1
    if contract.status in (ContractStatus.APPLIED, ContractStatus.HELD):
        for kind in applications.missing_documents(contract):
            applications.document_upload(
                contract=contract, kind=kind, upload=demo_document(spec, kind, plan.name, today), today=today,
            )
        if spec.activate:
            contract = applications.contract_approve(
                contract=contract, today=today, activation_date=today, note="데모 데이터: 서류 확인 완료",
            )
    if spec.activate and contract.status == ContractStatus.APPROVED:
        activation = contract.activation_date or today
        if activation <= today:
            contract = applications.contract_activate(contract=contract, today=today)
            result.contracts_activated += 1
    contract.refresh_from_db()
    return contract


def _staff(result: SeedResult) -> None:
    user_model = get_user_model()
    account_services.ensure_staff_groups()
    if not user_model.objects.filter(username=ADMIN_USERNAME).exists():
        user_model.objects.create_superuser(
            username=ADMIN_USERNAME, email="admin@termsops.example", password=ADMIN_PASSWORD,
        )
        result.admin_created = True
    for username, group_name in STAFF_USERS.items():
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_user(
                username=username, email=f"{username}@termsops.example", password=DEMO_PASSWORD,
                is_staff=True, first_name=f"{group_name} 담당",
            )
            result.staff_created += 1
        user.groups.add(Group.objects.get(name=group_name))


def _payment_method(spec: DemoCustomer, customer: Customer, result: SeedResult) -> None:
    """The customer's default payment method (BIL-7); the fake gateway accepts the demo tokens."""
    if PaymentMethod.objects.filter(customer=customer, active=True).exists():
        return
    slug = spec.members[0].login_id.split("-", 1)[0]
    if spec.pays == PAY_CMS:
        payments.payment_method_add(
            customer=customer, kind=PaymentMethod.Kind.CMS, label="국민은행 CMS ****1234",
            gateway_token=f"demo-cms-{slug}",
        )
    elif spec.pays == PAY_CARD:
        payments.payment_method_add(
            customer=customer, kind=PaymentMethod.Kind.CARD, label="신한카드 ****5678",
            gateway_token=f"demo-card-{slug}",
        )
    else:
        payments.payment_method_add(
            customer=customer, kind=PaymentMethod.Kind.BANK_TRANSFER, label=f"입금자명 {spec.payer_name}",
        )
    result.payment_methods_created += 1


def _seats(customer: Customer, contract: Contract) -> None:
    """Seats for the members from the activation day (ACC-5), within the quota where one applies."""
    if contract.status != ContractStatus.ACTIVE or contract.activated_on is None:
        return
    held = set(seats.open_assignments(contract).values_list("member_id", flat=True))
    limit = contract.seats if seats.quota_applies(contract) else None
    for member in customer.members.filter(status=Member.Status.ACTIVE).order_by("pk"):
        if limit is not None and len(held) >= limit:
            break
        if member.pk not in held:
            seats.seat_assign(contract=contract, member=member, today=contract.activated_on)
            held.add(member.pk)


# --------------------------------------------------------------------------- the customers' days


@dataclass(frozen=True)
class _Activity:
    """What the activity job knows while seeding: who pays by transfer, the overdue customer's cutoff,
    and the customers of the messaging product (who send messages each day)."""

    by_customer: dict[int, DemoCustomer]
    overdue_cutoff: dt.date  # the overdue customer leaves invoices due on or after this day unpaid
    messaging_customers: list[Customer]
    stranger_from: dt.date  # the first statement from this day on also carries STRANGER's deposit


_activity: _Activity | None = None

#: A deposit nobody can match (not a customer's name): it waits in the back office's bank queue.
STRANGER = ("홍길동", 55_000)

#: The messaging customer's calling number, registered with a (generated) telecom certificate and
#: approved while seeding (MSG-4).
DEMO_SENDER = "02-3456-7890"
#: What the messaging customer sends each replayed day: a few SMS notices and, every third day, an LMS.
DEMO_SMS_TEXT = "[바로알림] {day} 배송 출발 안내: 오늘 중 도착 예정입니다."
DEMO_LMS_TEXT = (
    "[바로알림] {day} 정기 점검 안내\n"
    "서비스 안정화를 위해 오늘 02:00부터 04:00까지 정기 점검을 진행합니다. "
    "점검 중에는 조회와 발송 예약이 잠시 제한됩니다. 이용에 참고해 주세요."
)


def demo_recipient(n: int) -> str:
    """The messaging customer's demo recipients (010-5xxx-xxxx)."""
    return f"010{50_000_000 + n:08d}"


def _sender_number(spec: DemoCustomer, customer: Customer, contract: Contract, today: dt.date) -> None:
    """The messaging customer's calling number (MSG-4): requested with a generated telecom certificate
    through ``messaging.services.senders`` and approved, as staff would after checking it."""
    number = DEMO_SENDER.replace("-", "")
    existing = SenderNumber.objects.filter(
        customer=customer, number=number, purpose=SenderNumber.Purpose.SMS, status__in=SenderNumber.ACTIVE
    ).first()
    if existing is None:
        existing = senders.sender_number_request(
            customer=customer, number=DEMO_SENDER,
            proof_document=demo_document(
                spec, RequiredDocument.TELECOM_CERTIFICATE, contract.plan.name, today
            ),
            limits=messaging_limits_for(customer, today=today),
        )
    if existing.status == SenderNumber.Status.REQUESTED:
        senders.sender_number_approve(sender=existing, now=clock.now())


def _send_messages(customer: Customer, today: dt.date) -> int:
    """The day's messages of the messaging customer, sent for real (MSG-2, MSG-6): bulk sends queued by
    ``messaging.services.sending``, handed to the fake provider and its results collected here (jobs
    run in-process while seeding). Only the delivered ones are billed, by the invoice run through
    ``billing.services.usage.usage_totals`` (BIL-6); nothing is recorded as usage by hand."""
    limits = messaging_limits_for(customer, today=today)
    now = clock.now()
    quiet = today.weekday() >= 5  # weekends are quiet
    sends = [("sms", DEMO_SMS_TEXT, 1 if quiet else 3 + today.day % 3)]
    if not quiet and today.day % 3 == 0:
        sends.append(("lms", DEMO_LMS_TEXT, 2))
    accepted = 0
    for name, text, count in sends:
        batch = sending.bulk_send(
            customer=customer, limits=limits, kind="text", sender=DEMO_SENDER,
            recipients=[demo_recipient(today.day * 10 + i) for i in range(count)],
            text=text.format(day=f"{today:%m/%d}"), now=now,
            idempotency_key=f"demo:{today.isoformat()}:{name}",
        )
        dispatch_messages(now=now, batch_id=batch.pk, provider=FAKE)
        accepted += batch.accepted
    results_collect(now=now, provider=FAKE)
    return accepted


def statement_csv(rows: list[tuple[dt.date, str, int, str]]) -> bytes:
    """A bank's deposit export: Korean headers, amounts with separators, CP949 (what banks give)."""
    out = io.StringIO()
    writer = csvkit.writer(out)
    writer.writerow(["거래일자", "입금자명", "입금액", "거래번호", "메모"])
    for day, payer, amount, reference in rows:
        writer.writerow([f"{day:%Y.%m.%d} 10:15:00", payer, f"{amount:,}", reference, "타행이체"])
    return out.getvalue().encode("cp949")


def demo_customer_activity(*, today: dt.date) -> dict[str, int]:
    """The seeding-only last job of each replayed day: the messaging customer sends its messages, and
    the bank-transfer customers pay their invoices ``PAY_AFTER_DAYS`` after issue (at the latest on the
    due date) — the day's deposits are imported as a bank statement. One statement in the last three weeks
also carries a stranger's deposit, which stays unmatched in the staff queue."""
    activity = _activity
    if activity is None:  # run outside seeding: nothing to play
        return {}
    counts = {"messages": sum(_send_messages(customer, today) for customer in activity.messaging_customers)}
    rows: list[tuple[dt.date, str, int, str]] = []
    for invoice in Invoice.objects.filter(
        customer_id__in=list(activity.by_customer), status=Invoice.Status.ISSUED
    ).order_by("due_date", "pk"):
        spec = activity.by_customer[invoice.customer_id]
        pay_on = min(invoice.issue_date + dt.timedelta(days=PAY_AFTER_DAYS), invoice.due_date)
        if spec.first_invoice_late_days and not Invoice.objects.filter(
            customer_id=invoice.customer_id, issue_date__lt=invoice.issue_date
        ).exists():
            pay_on = invoice.due_date + dt.timedelta(days=spec.first_invoice_late_days)
        if today < pay_on:
            continue
        if spec.pays == PAY_OVERDUE and invoice.due_date >= activity.overdue_cutoff:
            continue
        amount = ledger.invoice_open_amount(invoice)
        if amount > 0:
            rows.append((today, spec.payer_name, amount, f"DEMO-{invoice.number}"))
    if rows and today >= activity.stranger_from and not BankTransaction.objects.filter(
        payer_name=STRANGER[0]
    ).exists():
        rows.append((today, STRANGER[0], STRANGER[1], f"DEMO-X{today:%Y%m%d}"))
    if rows:
        report = bank.bank_statement_import(
            file_name=f"입금내역_{today:%Y%m%d}.csv", content=statement_csv(rows)
        )
        counts.update(deposits=report.row_count, matched=len(report.matched))
    return counts


def _replay(until: dt.date, specs: list[tuple[DemoCustomer, Contract]], result: SeedResult,
            hooks: Sequence[replay.DayHook] = (), *, progress: bool = False) -> None:
    """Run the daily jobs, the feed job and then ``hooks`` for every day from the first activation to
    ``until`` that has not been replayed yet (the day loop is ``core.replay.replay``)."""
    global _activity
    live = [(spec, c) for spec, c in specs if spec.activate and c.activation_date is not None]
    if not live:
        return
    start = min(c.activation_date for _spec, c in live if c.activation_date is not None)
    result.history_from = start
    _activity = _Activity(
        by_customer={c.customer_id: spec for spec, c in live if spec.pays in (PAY_BANK, PAY_OVERDUE)},
        overdue_cutoff=until - dt.timedelta(days=OVERDUE_WINDOW_DAYS),
        messaging_customers=[c.customer for _spec, c in live if c.plan.policy.code == MESSAGING_POLICY],
        stranger_from=until - dt.timedelta(days=21),
    )
    feed = replay.DayHook(FEED_JOB, demo_customer_activity,
                          "데모: 고객 활동 (문자 발송, 무통장 입금 내역) — 데모 데이터 전용")
    try:
        played = replay.replay(start, until, hooks=[feed, *hooks], progress=progress)
    finally:
        _activity = None
    result.days_replayed += played.days_replayed
    result.replayed = played


# The demo's terms change (TRM-1..3): dcloud v2 lowers the late-charge rate, article 34 ① says so, and the
# notice, the consent page and the admin show the 신구조문 대비표.
TERMS_CHANGE_CODE = "dcloud"
TERMS_CHANGE_OLD = "① 납기일까지 내지 않은 요금에는 월 1000분의 15(1.5%)의 연체료를 붙입니다."
TERMS_CHANGE_NEW = "① 납기일까지 내지 않은 요금에는 월 1000분의 12.5(1.25%)의 연체료를 붙입니다."


def _terms_change(today: dt.date) -> None:
    """Publish dcloud v2 once (effective in 30 days): a lower late-charge rate, in its text and its rule."""
    if Policy.objects.filter(code=TERMS_CHANGE_CODE, version__gt=1).exists():
        return
    v1 = Policy.objects.get(code=TERMS_CHANGE_CODE, version=1)
    with transaction.atomic():  # all or nothing, so a second run sees either no v2 or a published one
        draft = policy_clone(policy=v1)
        text = draft.terms_text_ko.replace(TERMS_CHANGE_OLD, TERMS_CHANGE_NEW)
        terms_documents.terms_import(policy=draft, data=text.encode("utf-8"), source_name="dcloud-v2.txt")
        policy_update(policy=draft, changes={"late_charge_monthly_percent": Decimal("1.25")})
        _publish_terms_change(draft, v1, today)


def _publish_terms_change(draft: Policy, v1: Policy, today: dt.date) -> None:
    terms.terms_publish(
        policy=draft,
        previous=v1,
        effective_on=today + dt.timedelta(days=30),
        reasons="연체료율 인하 (월 1.5% → 월 1.25%)",
        today=today,
    )


def _dispute(today: dt.date, specs: list[tuple[DemoCustomer, Contract]], result: SeedResult) -> None:
    """The CMS customer disputes part of its latest invoice (BIL-10); staff have not answered yet."""
    spec, contract = next(((s, c) for s, c in specs if s.pays == PAY_CMS), (None, None))
    if spec is None or contract is None:
        return
    customer = contract.customer
    if Dispute.objects.filter(customer=customer).exists():
        return
    invoice = Invoice.objects.filter(customer=customer).exclude(status=Invoice.Status.VOID)
    latest = invoice.order_by("-issue_date", "-pk").first()
    if latest is None:
        return
    line = latest.lines.order_by("-amount_won", "pk").first()
    if line is None or line.amount_won < 10:
        return
    admin = customer.members.filter(role=Member.Role.ADMIN).order_by("pk").first()
    with clock.frozen(today), acting_as(job="seed_demo"):
        disputes.dispute_file(
            invoice=latest, line=line, amount_won=max(line.amount_won // 10, 1), today=today, member=admin,
            reason="퇴사자 계정 1명분이 청구되었습니다. 해당 인원 요금의 감액을 요청합니다.",
        )
    result.disputes_created += 1


def _overdue_case(today: dt.date, specs: list[tuple[DemoCustomer, Contract]]) -> OverdueCase | None:
    for spec, contract in specs:
        if spec.pays != PAY_OVERDUE:
            continue
        position = dunning.ladder_position(contract.customer, today)
        if position is None:
            return None
        invoice = position.invoice
        # Accrued so far (BIL-9): posted per finished month and billed on the next invoice.
        late = [a.amount_won for a in late_charges.accruals_for(invoice, today=today)]
        current = position.current
        return OverdueCase(
            legal_name=spec.legal_name,
            login_id=spec.members[0].login_id,
            invoice_number=invoice.number,
            due_date=invoice.due_date,
            days_overdue=(today - invoice.due_date).days,
            overdue_won=position.overdue_won,
            late_charges_won=sum(late),
            current_step=str(dunning.DunningAction(current.action).label) if current else "",
            next_step=position.next_action_label,
            next_on=position.next_on,
        )
    return None


def _summarise(today: dt.date, result: SeedResult) -> None:
    customer_ids = [c.customer_id for _spec, c in result.customers]
    invoices = Invoice.objects.filter(customer_id__in=customer_ids)
    result.invoices = invoices.count()
    result.invoices_paid = invoices.filter(status=Invoice.Status.PAID).count()
    succeeded = Payment.objects.filter(customer_id__in=customer_ids, status=Payment.Status.SUCCEEDED)
    result.payments_auto = succeeded.filter(method__in=[Payment.Method.CMS, Payment.Method.CARD]).count()
    result.payments_bank = succeeded.filter(method=Payment.Method.BANK_TRANSFER).count()
    statements = BankStatementImport.objects.filter(file_name__startswith="입금내역_")
    result.statements = statements.count()
    result.bank_unmatched = BankTransaction.objects.filter(
        statement__in=statements, status=BankTransaction.Status.UNMATCHED
    ).count()
    result.overdue = _overdue_case(today, result.customers)
    result.dispute = (
        Dispute.objects.filter(customer_id__in=customer_ids).select_related("invoice", "customer")
        .order_by("pk").first()
    )


def seed(
    *,
    today: dt.date | None = None,
    history_days: int = HISTORY_DAYS,
    customers: Sequence[DemoCustomer] = DEMO_CUSTOMERS,
    hooks: Sequence[replay.DayHook] = (),
    progress: bool = False,
    resume: bool = False,
) -> SeedResult:
    """Create whatever demo data is missing, replay the days not yet replayed; return what exists now.

    The live contracts of ``customers`` open ``history_days`` before ``today``; ``hooks``
    (``core.replay.DayHook``) play extra scripted events after the customers' activity each day
    (``manage.py replay``'s presets).

    ``resume``: the book was opened by an earlier run over the same range (``manage.py replay`` again):
    nothing is created, the customers that still exist are replayed on, whatever their contracts became
    (terminated, or the customer purged after its retention period, DAT-2)."""
    day = today or clock.today()
    start = day - dt.timedelta(days=history_days)
    result = SeedResult()
    with acting_as(job="seed_demo"):
        load_presets()
        for spec in customers if resume else ():
            found = _existing(spec)
            if found is not None:
                result.customers.append((spec, found))
        for spec in () if resume else customers:
            # Live contracts were applied for and activated HISTORY_DAYS ago; the pending one today.
            opened = start if spec.activate else day
            with clock.frozen(opened), transaction.atomic():
                customer = _customer(spec, opened, result)
                admin = _members(spec, customer, result)
                contract = _contract(spec, customer, admin, opened, result)
                if spec.activate:
                    _seats(customer, contract)
                    _payment_method(spec, customer, result)
                    if contract.plan.policy.code == MESSAGING_POLICY and contract.is_live:
                        _sender_number(spec, customer, contract, opened)
            result.customers.append((spec, contract))
        with transaction.atomic():
            _staff(result)
    _replay(day, result.customers, result, hooks, progress=progress)
    _dispute(day, result.customers, result)
    if any(spec.preset == TERMS_CHANGE_CODE for spec in customers):
        _terms_change(day)
    result.customers = [(spec, Contract.objects.get(pk=c.pk)) for spec, c in result.customers]
    _summarise(day, result)
    return result


def _existing(spec: DemoCustomer) -> Contract | None:
    """The customer's latest contract for the spec's plan, whatever its status (None: no such customer)."""
    return (
        Contract.objects.filter(customer__business_number=spec.business_number, plan__code=spec.plan)
        .select_related("customer", "plan__policy")
        .order_by("-pk")
        .first()
    )


def summary_lines(result: SeedResult) -> list[str]:
    """What the billing history holds, for the seed and demo commands (Korean first)."""
    lines = [
        f"청구 이력 {result.history_from or '-'}부터: 청구서 {result.invoices}건 "
        f"(완납 {result.invoices_paid}건), "
        f"자동이체·카드 결제 {result.payments_auto}건, 무통장 입금 {result.payments_bank}건 "
        f"(은행 입금 내역 {result.statements}개 파일, 미확인 입금 {result.bank_unmatched}건)",
        f"  (billing history since {result.history_from or '-'}: {result.invoices} invoices, "
        f"{result.invoices_paid} paid; {result.payments_auto} CMS/card charges, "
        f"{result.payments_bank} bank transfers from {result.statements} imported statements, "
        f"{result.bank_unmatched} unmatched)",
    ]
    overdue = result.overdue
    if overdue is not None:
        step = overdue.current_step or "-"
        nxt = f"{overdue.next_step} {overdue.next_on}" if overdue.next_step else "-"
        late = f", 연체료 {overdue.late_charges_won:,}원" if overdue.late_charges_won else ""
        lines += [
            f"연체 고객: {overdue.legal_name} ({overdue.login_id}) 청구서 {overdue.invoice_number} "
            f"납기 {overdue.due_date}, {overdue.days_overdue}일 연체, 미납 {overdue.overdue_won:,}원{late}; "
            f"현재 단계 {step}, 다음 단계 {nxt}",
            f"  (overdue customer: {overdue.invoice_number} {overdue.days_overdue} days past due, "
            f"{overdue.overdue_won:,} won unpaid)",
        ]
    dispute = result.dispute
    if dispute is not None:
        lines.append(
            f"이의신청: {dispute.customer.legal_name} 청구서 {dispute.invoice.number} "
            f"{dispute.amount_won:,}원, "
            f"{dispute.get_status_display()}, 답변 기한 {dispute.answer_due_on} (open dispute)"
        )
    return lines


class Command(BaseCommand):
    help = (
        "데모 데이터를 만듭니다: 프리셋마다 고객 1곳(구성원, 개통된 계약)과 승낙 대기 신청 1건, "
        "운영자 계정. 여러 번 실행해도 안전합니다 (Create the demo data; idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="기준일 YYYY-MM-DD (default: the clock's today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = dt.date.fromisoformat(options["date"]) if options["date"] else None
        # The notices' emails would flood the console: keep them in memory (each is also a Notice row).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            result = seed(today=today)
            sent = len(mail.outbox)
        for spec, contract in result.customers:
            self.stdout.write(
                f"{spec.preset:<10} {spec.legal_name} ({format_business_number(spec.business_number)}) "
                f"— {contract.number} {contract.plan.name}: {contract.get_status_display()}"
            )
        self.stdout.write("\n".join(summary_lines(result)))
        self.stdout.write(self.style.SUCCESS(
            f"데모 데이터 준비 완료: 고객 {result.customers_created}곳, 구성원 {result.members_created}명, "
            f"계약 {result.contracts_created}건 생성, {result.contracts_activated}건 개통, "
            f"운영자 {result.staff_created + int(result.admin_created)}명 생성, "
            f"{result.days_replayed}일치 일일 작업 재실행, 알림 메일 {sent}통 "
            f"(demo data ready; created {result.customers_created} customers, "
            f"{result.members_created} members, "
            f"{result.contracts_created} contracts; replayed {result.days_replayed} days)"
        ))

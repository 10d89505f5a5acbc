"""Demo data: one customer per preset with members and a live contract, plus a pending application.

Idempotent: a customer is found by its business number, a member or staff user by its
login, a contract by customer and plan; whatever exists is left alone and whatever is
missing (or half-way, such as an application not yet approved) is completed. Every
write goes through the services (``accounts.services``, ``contracts.services``), so
the demo data has the same audit trail, notices and checks as real data.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts import services as account_services
from accounts.models import Customer, Member
from accounts.validators import business_number_check_digit, format_business_number
from contracts.models import Contract, ContractStatus, Plan, RequiredDocument
from contracts.presets import load_presets
from contracts.services import applications
from core import clock
from core.audit import acting_as

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
    ),
    DemoCustomer(
        "flow", "flow-business-monthly", "주식회사 누리랩", "박지훈", "214876543",
        "경기도 성남시 분당구 판교역로 235, 에이치스퀘어 N동 7층", "nurilab.example",
        (DemoMember("nuri-admin", "강예린", Member.Role.ADMIN, "플랫폼팀"),
         DemoMember("nuri-kang", "강민호", department="개발팀"),
         DemoMember("nuri-yoon", "윤지우", department="디자인팀")),
    ),
    DemoCustomer(
        "dcloud", "dcloud-vm-standard", "주식회사 세종데이터", "최수아", "305811122",
        "대전광역시 유성구 대학로 99, 7층", "sejongdata.example",
        (DemoMember("sejong-admin", "정현우", Member.Role.ADMIN, "인프라팀"),
         DemoMember("sejong-jung", "정다은", department="데이터팀"),
         DemoMember("sejong-lim", "임채원", department="보안팀")),
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


@dataclass
class SeedResult:
    customers_created: int = 0
    members_created: int = 0
    contracts_created: int = 0
    contracts_activated: int = 0
    staff_created: int = 0
    admin_created: bool = False
    customers: list[tuple[DemoCustomer, Contract]] = field(default_factory=list)


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


def seed(*, today: dt.date | None = None) -> SeedResult:
    """Create whatever demo data is missing; return what exists now."""
    day = today or clock.today()
    result = SeedResult()
    with acting_as(job="seed_demo"):
        load_presets()
        for spec in DEMO_CUSTOMERS:
            with transaction.atomic():
                customer = _customer(spec, day, result)
                admin = _members(spec, customer, result)
                contract = _contract(spec, customer, admin, day, result)
            result.customers.append((spec, contract))
        with transaction.atomic():
            _staff(result)
    return result


class Command(BaseCommand):
    help = (
        "데모 데이터를 만듭니다: 프리셋마다 고객 1곳(구성원, 개통된 계약)과 승낙 대기 신청 1건, "
        "운영자 계정. 여러 번 실행해도 안전합니다 (Create the demo data; idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="기준일 YYYY-MM-DD (default: the clock's today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = dt.date.fromisoformat(options["date"]) if options["date"] else None
        result = seed(today=today)
        for spec, contract in result.customers:
            self.stdout.write(
                f"{spec.preset:<10} {spec.legal_name} ({format_business_number(spec.business_number)}) "
                f"— {contract.number} {contract.plan.name}: {contract.get_status_display()}"
            )
        self.stdout.write(self.style.SUCCESS(
            f"데모 데이터 준비 완료: 고객 {result.customers_created}곳, 구성원 {result.members_created}명, "
            f"계약 {result.contracts_created}건 생성, {result.contracts_activated}건 개통, "
            f"운영자 {result.staff_created + int(result.admin_created)}명 생성 "
            f"(demo data ready; created {result.customers_created} customers, "
            f"{result.members_created} members, "
            f"{result.contracts_created} contracts)"
        ))

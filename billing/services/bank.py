"""Bank statements (BIL-7, 002 art.31③): import a deposit file, match payers, queue the rest.

A statement is a CSV exported by the bank, UTF-8 or CP949 (what Korean internet banking
exports), with a header row. Columns (Korean or English, any order):

====================  ==========  =========
Korean                English     required
====================  ==========  =========
거래일자              date        yes
입금자명              payer       yes
입금액                amount      yes
거래번호              reference   no
메모                  memo        no
====================  ==========  =========

Import is all or nothing: the whole file is validated first — size and row count within the
``BANK_IMPORT_MAX_BYTES``/``BANK_IMPORT_MAX_ROWS`` settings, every date a real business date up to
today, every amount a whole number of won within ``INPUT_MAX_WON``, no NUL characters
(``core.fields``) — and a file with any problem is refused with every problem listed by line and
column (:class:`BankStatementInvalid`); nothing is written. A valid file is recorded with all its rows
in one transaction (:func:`bank_statement_record`) and matched afterwards, in the background
(:func:`bank_statement_submit` queues ``billing.tasks.process_bank_statement``; eager in the demo) or
in the caller (:func:`bank_statement_import`, for commands). Matching (:func:`bank_statement_process`)
is resumable: each row is taken under a row lock (``SKIP LOCKED``), matched and stamped
``processed_at`` in one transaction, so an interrupted run continues where it stopped, two workers
share the rows and no row is matched twice (the payment's idempotency key ``bank:{statement}:{line}``
guards it too). The same file (SHA-256) is refused the second time once it was fully processed; sent
again while unfinished, it continues the first import. Each row is matched by itself (under the
customer's lock): the payer name is normalised (spaces, legal
forms such as "(주)", "주식회사", "㈜" dropped) and looked up in ``PayerAlias`` and the customers'
legal and payer names; a payer name no customer has is looked up in the customers' pending
transfer notices of that name and amount. The deposit is matched only when exactly one candidate
owes exactly its amount: the open amount of one open invoice (that invoice is paid), or the
customer's total open amount (every open invoice is paid, oldest first). A match becomes a
succeeded bank-transfer ``Payment`` that is applied at once — the customer's pending transfer
notice of the same amount, when there is one (``payments.transfer_notice_confirm``), so the notice
does not stay pending beside it; partial, excess, ambiguous and unknown rows stay ``unmatched`` in
the queue for staff, who assign them (optionally remembering the name as an alias, so the next
file matches by itself) or ignore them. Where a payment went: ``billing.selectors.payment_allocations``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import IntegrityError
from django.db import transaction as db_transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from core import clock
from core.audit import acting_as, bulk_create_audited, record_history
from core.errors import DomainError
from core.fields import date_problem, text_problem, won_problem
from core.transitions import transition

from ..lifecycles import BANK_TRANSACTION
from ..models import BankStatementImport, BankTransaction, Invoice, PayerAlias, Payment
from . import ledger
from .facts import open_amount_subquery
from .payments import payment_record, pending_notices_for, transfer_notice_confirm

MAX_ERRORS_IN_MESSAGE = 20
PROCESS_TASK = "billing.tasks.process_bank_statement"

COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("거래일자", "거래일", "거래일시", "입금일", "입금일자", "date"),
    "payer": ("입금자명", "입금자", "보낸분", "의뢰인", "payer", "payer_name", "name"),
    "amount": ("입금액", "입금금액", "맡기신금액", "금액", "amount"),
    "reference": ("거래번호", "거래고유번호", "reference", "ref"),
    "memo": ("메모", "적요", "비고", "memo"),
}
REQUIRED = ("date", "payer", "amount")
COLUMN_LABELS = {
    "date": "거래일자",
    "payer": "입금자명",
    "amount": "입금액",
    "reference": "거래번호",
    "memo": "메모",
}

# Legal-form markers dropped before comparing names (after NFKC, which turns ㈜ into (주)).
_LEGAL_FORMS = re.compile(
    r"\((?:주|유|합|사|재|사단|재단)\)|주식회사|유한회사|유한책임회사|합자회사|합명회사|사단법인|재단법인"
    r"|^주\)|\(주$|co\.?,?\s*ltd\.?|inc\.?|corp\.?"
)
_NOT_NAME = re.compile(r"[^0-9a-z가-힣]")


def normalise_payer(name: str) -> str:
    """The comparable form of a payer or company name: ``"(주) 테스트 상사"`` → ``"테스트상사"``."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = re.sub(r"\s+", "", text)
    text = _LEGAL_FORMS.sub("", text)
    return _NOT_NAME.sub("", text)


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class LineProblem:
    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        return (
            f"{self.line}행 {self.column}: {self.problem}"
            if self.column
            else f"{self.line}행: {self.problem}"
        )


@dataclass(frozen=True)
class ParsedRow:
    line: int
    transacted_on: dt.date
    payer_name: str
    amount_won: int
    reference: str
    memo: str


class BankStatementInvalid(DomainError):
    """The file cannot be imported; ``problems`` lists every one, by line and column."""

    def __init__(self, file_name: str, problems: list[LineProblem]) -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:MAX_ERRORS_IN_MESSAGE])
        more = len(problems) - MAX_ERRORS_IN_MESSAGE
        super().__init__(
            "bank_statement_invalid",
            _("{file}: 가져오지 않았습니다. 문제 {count}건 — {problems}{more}"),
            rule="BIL-7",
            field="content",
            file=file_name,
            count=len(problems),
            problems=shown,
            more=f" 외 {more}건" if more > 0 else "",
        )


def _decode(content: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


_DATE_FORMATS = ("%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y%m%d")


def _parse_date(raw: str) -> dt.date | None:
    text = raw.strip()
    # Banks often add the time: "2026-11-03 14:22:01", "2026.11.03 14:22".
    text = re.split(r"[\sT]", text, maxsplit=1)[0].rstrip(".")
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def _parse_amount(raw: str) -> tuple[int | None, str]:
    text = raw.strip().replace(",", "").replace("원", "").replace("₩", "").replace(" ", "")
    if not text:
        return None, "비어 있습니다"
    if text.endswith(".00") or text.endswith(".0"):
        text = text.split(".", 1)[0]
    if not re.fullmatch(r"[+-]?\d+", text):
        return None, f"원 단위 정수가 아닙니다 ({raw.strip()!r})"
    if len(text) > 20:
        return None, f"원 단위 정수가 아닙니다 ({raw.strip()[:24]!r})"
    value = int(text)
    if value <= 0:
        return None, f"입금액은 0보다 커야 합니다 ({value:,})"
    problem = won_problem(value, min_won=1)
    if problem:
        return None, f"{problem} ({value:,})"
    return value, ""


def _header_map(header: list[str]) -> tuple[dict[str, int], list[LineProblem]]:
    problems: list[LineProblem] = []
    found: dict[str, int] = {}
    names = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    for index, cell in enumerate(header):
        key = names.get(re.sub(r"\s+", "", cell).lower().strip("\ufeff"))
        if key is None:
            continue
        if key in found:
            problems.append(LineProblem(1, cell.strip(), "같은 열이 두 번 있습니다"))
            continue
        found[key] = index
    for key in REQUIRED:
        if key not in found:
            aliases = " / ".join((*COLUMNS[key][:1], key))
            problems.append(LineProblem(1, COLUMN_LABELS[key], f"필수 열이 없습니다 ({aliases})"))
    return found, problems


def parse_statement(content: bytes) -> tuple[list[ParsedRow], list[LineProblem]]:
    """Rows and problems of a statement file; a file with any problem is not imported."""
    max_bytes, max_rows = int(settings.BANK_IMPORT_MAX_BYTES), int(settings.BANK_IMPORT_MAX_ROWS)
    if len(content) > max_bytes:
        size = f"{len(content):,}바이트, 최대 {max_bytes:,}바이트"
        return [], [LineProblem(1, "", f"파일이 너무 큽니다 ({size})")]
    text = _decode(content)
    if text is None:
        return [], [LineProblem(1, "", "UTF-8도 CP949도 아닌 인코딩입니다")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [LineProblem(1, "", "빈 파일입니다")]
    except csv.Error as exc:
        return [], [LineProblem(1, "", f"CSV 형식 오류: {exc}")]
    columns, problems = _header_map(header)
    if problems:
        return [], problems
    rows: list[ParsedRow] = []
    today = clock.today()
    data_lines = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(LineProblem(reader.line_num, "", f"CSV 형식 오류: {exc}"))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        data_lines += 1
        if data_lines > max_rows:
            problems.append(LineProblem(line, "", f"행이 너무 많습니다 (최대 {max_rows:,}행)"))
            break
        nul = [i for i, value in enumerate(cells) if text_problem(value)]
        if nul:
            problems.append(LineProblem(line, "", f"{nul[0] + 1}번째 열: NUL 문자는 쓸 수 없습니다"))
            continue

        def cell(key: str, cells: list[str] = cells) -> str:
            index = columns.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        before = len(problems)
        if len(cells) < max(columns[key] for key in REQUIRED) + 1:
            problems.append(LineProblem(line, "", f"열이 {len(cells)}개뿐입니다 (머리글 {len(header)}개)"))
            continue
        day = _parse_date(cell("date"))
        if day is None:
            problems.append(
                LineProblem(
                    line, COLUMN_LABELS["date"], f"날짜가 아닙니다 ({cell('date')[:40]!r}, 예: 2026-11-03)"
                )
            )
        elif (day_problem := date_problem(day, today=today, not_after_today=True)) is not None:
            problems.append(LineProblem(line, COLUMN_LABELS["date"], f"{day_problem} ({day})"))
            day = None
        payer = cell("payer")
        if not payer:
            problems.append(LineProblem(line, COLUMN_LABELS["payer"], "비어 있습니다"))
        elif len(payer) > 100:
            problems.append(LineProblem(line, COLUMN_LABELS["payer"], "100자를 넘습니다"))
        amount, amount_problem = _parse_amount(cell("amount"))
        if amount_problem:
            problems.append(LineProblem(line, COLUMN_LABELS["amount"], amount_problem))
        reference = cell("reference")
        if len(reference) > 100:
            problems.append(LineProblem(line, COLUMN_LABELS["reference"], "100자를 넘습니다"))
        if len(problems) == before and day is not None and amount is not None:
            rows.append(ParsedRow(line, day, payer, amount, reference, cell("memo")[:200]))
    if not rows and not problems:
        problems.append(LineProblem(2, "", "입금 내역이 없습니다"))
    return rows, problems


# --------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    statement: BankStatementImport
    matched: list[BankTransaction] = field(default_factory=list)
    unmatched: list[BankTransaction] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.matched) + len(self.unmatched)


def bank_statement_record(
    *, file_name: str, content: bytes, actor: Any = None
) -> tuple[BankStatementImport, bool]:
    """Validate the whole file and record it with every row, unmatched (BIL-7); returns the statement and
    whether it is new. Raises :class:`BankStatementInvalid` (nothing written) or ``bank_statement_duplicate``
    for a file already fully processed; the same file while its processing is unfinished is returned as
    is (not new), for the caller to continue it (:func:`bank_statement_process`)."""
    digest = hashlib.sha256(content).hexdigest()
    earlier = BankStatementImport.objects.filter(sha256=digest).first()
    if earlier is not None:
        return _earlier_or_duplicate(earlier), False
    rows, problems = parse_statement(content)
    if problems:
        raise BankStatementInvalid(file_name, problems)
    user = actor if getattr(actor, "is_authenticated", False) else None
    with _acting(actor):
        try:
            with db_transaction.atomic():
                statement = BankStatementImport.objects.create(
                    file_name=file_name[:255], sha256=digest, row_count=len(rows), imported_by=user
                )
                bulk_create_audited(
                    [
                        BankTransaction(
                            statement=statement,
                            line_no=row.line,
                            transacted_on=row.transacted_on,
                            payer_name=row.payer_name,
                            amount_won=row.amount_won,
                            bank_reference=row.reference,
                            memo=row.memo,
                        )
                        for row in rows
                    ],
                    batch_size=1000,
                )
        except IntegrityError:
            earlier = BankStatementImport.objects.filter(sha256=digest).first()
            if earlier is None:
                raise
            return _earlier_or_duplicate(earlier), False
    return statement, True


def bank_statement_submit(
    *, file_name: str, content: bytes, actor: Any = None
) -> tuple[BankStatementImport, bool]:
    """:func:`bank_statement_record`, then queue its matching in the background after commit (also for an
    unfinished statement sent again: it continues)."""
    with db_transaction.atomic():
        statement, created = bank_statement_record(file_name=file_name, content=content, actor=actor)
        bank_statement_queue(statement)
    return statement, created


def bank_statement_queue(statement: BankStatementImport) -> None:
    """Queue :func:`bank_statement_process` for ``statement`` once the current transaction commits."""
    pk = statement.pk
    db_transaction.on_commit(lambda: current_app.tasks[PROCESS_TASK].apply_async(kwargs={"statement_id": pk}))


def bank_statement_process(*, statement_id: int, limit: int | None = None) -> BankStatementImport:
    """Match the statement's rows not processed yet, in line order (BIL-7); at most ``limit`` rows.

    Each row is locked (``SKIP LOCKED``: a row another worker holds is left to it), matched and stamped
    ``processed_at`` in one transaction with the statement's counters, so a crash loses at most the row
    in hand and a second run (or a second worker) continues without matching anything twice. The
    statement is finished when no row is left.
    """
    names = _name_index()
    done = 0
    while limit is None or done < limit:
        with db_transaction.atomic():
            tx = (
                BankTransaction.objects.select_for_update(skip_locked=True)
                .filter(statement_id=statement_id, processed_at__isnull=True)
                .order_by("line_no")
                .first()
            )
            if tx is None:
                break
            matched = tx.status == BankTransaction.Status.UNMATCHED and _auto_match(tx, names)
            BankTransaction.objects.filter(pk=tx.pk).update(processed_at=clock.now())
            BankStatementImport.objects.filter(pk=statement_id).update(
                processed_count=F("processed_count") + 1,
                matched_count=F("matched_count") + (1 if matched else 0),
            )
        done += 1
    with db_transaction.atomic():
        if not BankTransaction.objects.filter(statement_id=statement_id, processed_at__isnull=True).exists():
            BankStatementImport.objects.filter(pk=statement_id, finished_at__isnull=True).update(
                finished_at=clock.now()
            )
    return BankStatementImport.objects.get(pk=statement_id)


def bank_statement_import(*, file_name: str, content: bytes, actor: Any = None) -> ImportReport:
    """Import one statement file and match it here, in the caller (BIL-7; commands, the demo). Raises
    :class:`BankStatementInvalid` (nothing written) or ``bank_statement_duplicate``; an unfinished earlier
    import of the same file is continued. Returns what matched and what is queued for staff."""
    statement, _created = bank_statement_record(file_name=file_name, content=content, actor=actor)
    with _acting(actor):
        statement = bank_statement_process(statement_id=statement.pk)
    return statement_report(statement)


def statement_report(statement: BankStatementImport) -> ImportReport:
    """What a statement's processed rows came to: matched automatically, or waiting for staff."""
    report = ImportReport(statement)
    for tx in statement.transactions.filter(processed_at__isnull=False).order_by("line_no"):
        if tx.status == BankTransaction.Status.MATCHED and not tx.note:
            report.matched.append(tx)
        elif tx.status == BankTransaction.Status.UNMATCHED:
            report.unmatched.append(tx)
    return report


def _earlier_or_duplicate(earlier: BankStatementImport) -> BankStatementImport:
    if earlier.finished_at is not None:
        raise _duplicate(earlier)
    return earlier


def _duplicate(earlier: BankStatementImport) -> DomainError:
    return DomainError(
        "bank_statement_duplicate",
        _("같은 파일이 {date}에 이미 반영되었습니다 ({file})."),
        rule="BIL-7",
        field="content",
        date=clock.to_seoul_date(earlier.created_at),
        file=earlier.file_name,
    )


class _acting:
    """``acting_as(user)`` when a person is named; otherwise keep the current actor (a job, a command)."""

    def __init__(self, actor: Any) -> None:
        self._cm = acting_as(actor) if getattr(actor, "is_authenticated", False) else None

    def __enter__(self) -> None:
        if self._cm is not None:
            self._cm.__enter__()

    def __exit__(self, *exc: Any) -> None:
        if self._cm is not None:
            self._cm.__exit__(*exc)


# --------------------------------------------------------------------------- matching


def _name_index() -> dict[str, set[int]]:
    """Normalised legal and payer names → customer ids (aliases are looked up separately)."""
    index: dict[str, set[int]] = defaultdict(set)
    for pk, legal_name, payer_name in Customer.objects.values_list("pk", "legal_name", "payer_name"):
        for name in (legal_name, payer_name):
            key = normalise_payer(name)
            if key:
                index[key].add(pk)
    return index


def candidates(payer_name: str, names: dict[str, set[int]] | None = None) -> tuple[set[int], bool]:
    """Customer ids a payer name may belong to, and whether a staff alias decided it."""
    key = normalise_payer(payer_name)
    if not key:
        return set(), False
    alias = PayerAlias.objects.filter(name=key).values_list("customer_id", flat=True).first()
    if alias is not None:
        return {alias}, True
    names = names if names is not None else _name_index()
    return set(names.get(key, set())), False


def _match_for(customer_id: int, amount_won: int) -> tuple[bool, Invoice | None]:
    """Whether a deposit of ``amount_won`` is exactly what the customer owes (BIL-7, docs/operations.md):
    the open amount of one of its open invoices (the oldest such, arrears first, 002 art.35④) → that
    invoice; else its total open amount → no invoice (the payment is applied oldest first and
    ``billing.selectors.payment_allocations`` shows where it went). Anything else is not a match."""
    rows = list(
        Invoice.objects.filter(customer_id=customer_id, status=Invoice.Status.ISSUED)
        .annotate(open_won=open_amount_subquery())
        .filter(open_won__gt=0)
        .order_by("due_date", "issue_date", "id")
    )
    for invoice in rows:
        if invoice.open_won == amount_won:  # type: ignore[attr-defined]
            return True, invoice
    total = sum(int(invoice.open_won) for invoice in rows)  # type: ignore[attr-defined]
    return (total == amount_won and total > 0), None


def _noticed_by(tx: BankTransaction) -> set[int]:
    """Customers whose pending transfer notice names this deposit's payer and amount (BIL-7)."""
    key = normalise_payer(tx.payer_name)
    if not key:
        return set()
    return {
        customer_id
        for customer_id, payer_name in pending_notices_for(
            amount_won=tx.amount_won, transacted_on=tx.transacted_on
        ).values_list("customer_id", "payer_name")
        if normalise_payer(payer_name) == key
    }


def _auto_match(tx: BankTransaction, names: dict[str, set[int]]) -> bool:
    """Match a deposit only on the payer's name AND the exact amount (docs/operations.md, BIL-7): the
    name (or a remembered alias, or a pending transfer notice's payer name) gives the candidate
    customers; exactly one of them must owe exactly the deposit (:func:`_match_for`). A partial or
    excess deposit, an unknown name and a tie stay ``unmatched`` in the queue for staff, with the reason."""
    ids, _by_alias = candidates(tx.payer_name, names)
    if not ids:
        ids = _noticed_by(tx)
    if not ids:
        _note(tx, str(_("입금자명과 일치하는 고객이 없습니다")))
        return False
    matches = {}
    for customer_id in sorted(ids):
        found, invoice = _match_for(customer_id, tx.amount_won)
        if found:
            matches[customer_id] = invoice
    if len(matches) != 1:
        if len(ids) > 1:
            _note(tx, str(_("입금자명이 같은 고객이 {count}곳입니다")).format(count=len(ids)))
        else:
            _note(tx, str(_("입금액이 미납 청구서 금액이나 미납 총액과 일치하지 않습니다")))
        return False
    customer_id, invoice = next(iter(matches.items()))
    try:
        _settle(tx, Customer.objects.get(pk=customer_id), invoice=invoice)
    except DomainError as exc:  # leave it in the queue with the reason; the rest of the file goes on
        _note(tx, exc.message)
        return False
    return True


def _note(tx: BankTransaction, text: str) -> None:
    BankTransaction.objects.filter(pk=tx.pk).update(note=text[:200])
    tx.note = text[:200]
    record_history(BankTransaction.objects.filter(pk=tx.pk))  # the update writes no history of its own


def _settle(tx: BankTransaction, customer: Customer, *, invoice: Invoice | None, note: str = "") -> Payment:
    """Turn a deposit into a succeeded bank-transfer payment for ``customer`` and apply it."""
    with db_transaction.atomic():
        ledger.lock_customer(customer)
        locked = (
            BankTransaction.objects.select_for_update(of=("self",)).select_related("statement").get(pk=tx.pk)
        )
        if locked.status != BankTransaction.Status.UNMATCHED:
            raise DomainError(
                "bank_transaction_not_unmatched",
                _("이미 처리된 입금 내역입니다 ({status})."),
                rule="BIL-7",
                field="transaction",
                status=locked.get_status_display(),
            )
        reference = locked.bank_reference or f"statement:{locked.statement_id}:{locked.line_no}"
        # A transfer notice of this amount from the customer is the same money: it becomes this
        # deposit's payment instead of staying pending beside a second one (BIL-7).
        payment = transfer_notice_confirm(
            customer=customer,
            amount_won=locked.amount_won,
            received_on=locked.transacted_on,
            payer_name=locked.payer_name,
            reference=reference,
            invoice=invoice,
        ) or payment_record(
            customer=customer,
            amount_won=locked.amount_won,
            method=Payment.Method.BANK_TRANSFER,
            received_on=locked.transacted_on,
            payer_name=locked.payer_name,
            reference=reference,
            invoice=invoice,
            idempotency_key=f"bank:{locked.statement_id}:{locked.line_no}",
        )
        locked.customer = customer
        locked.payment = payment
        locked.note = note[:200]
        transition(locked, BANK_TRANSACTION, BankTransaction.Status.MATCHED, today=clock.today(),
                   save_fields=["customer", "payment", "note"])
    tx.refresh_from_db(fields=["status", "customer", "payment", "note"])
    return payment


def _require_processed(transaction: BankTransaction) -> None:
    """Staff act on a deposit only after automatic matching has looked at it: a row still waiting may be
    in a worker's hands (and staff would take the customer's lock before the row's, the other order)."""
    if BankTransaction.objects.filter(pk=transaction.pk, processed_at__isnull=True).exists():
        raise DomainError(
            "bank_transaction_processing",
            _("자동 매칭이 아직 이 입금 내역을 처리하지 않았습니다. 처리가 끝난 뒤 다시 시도해 주세요."),
            rule="BIL-7",
            field="transaction",
        )


def bank_transaction_assign(
    *,
    transaction: BankTransaction,  # the public keyword name
    customer: Customer,
    remember_alias: bool,
    actor: Any = None,
    invoice: Invoice | None = None,
) -> Payment:
    """Staff resolve an unmatched deposit (BIL-7, 002 art.31③): it becomes ``customer``'s payment.

    With ``remember_alias`` the payer name is stored as the customer's ``PayerAlias`` so the next
    statement matches it automatically (an alias that pointed elsewhere is moved).
    """
    if invoice is not None and invoice.customer_id != customer.pk:
        raise DomainError("wrong_customer", _("다른 고객의 청구서입니다."), rule="BIL-7", field="invoice")
    _require_processed(transaction)
    user = actor if getattr(actor, "is_authenticated", False) else None
    with _acting(actor), db_transaction.atomic():
        label = getattr(user, "get_username", lambda: "")()
        payment = _settle(
            transaction, customer, invoice=invoice, note=str(_("직원 지정 {user}")).format(user=label).strip()
        )
        if remember_alias:
            key = normalise_payer(transaction.payer_name)
            if key:
                PayerAlias.objects.update_or_create(
                    name=key, defaults={"customer": customer, "created_by": user}
                )
    return payment


def bank_transaction_ignore(
    *, transaction: BankTransaction, reason: str, actor: Any = None
) -> BankTransaction:
    """Take a deposit out of the queue (not ours, a test transfer, refunded by the bank ...)."""
    if not reason.strip():
        raise DomainError("reason_required", _("제외 사유를 적어 주세요."), rule="BIL-7", field="reason")
    _require_processed(transaction)
    with _acting(actor), db_transaction.atomic():
        locked = BankTransaction.objects.select_for_update().get(pk=transaction.pk)
        if locked.status != BankTransaction.Status.UNMATCHED:
            raise DomainError(
                "bank_transaction_not_unmatched",
                _("이미 처리된 입금 내역입니다 ({status})."),
                rule="BIL-7",
                field="transaction",
                status=locked.get_status_display(),
            )
        locked.note = reason.strip()[:200]
        transition(locked, BANK_TRANSACTION, BankTransaction.Status.IGNORED, today=clock.today(),
                   reason=reason.strip(), save_fields=["note"])
    return locked


__all__ = [
    "BankStatementInvalid",
    "ImportReport",
    "LineProblem",
    "bank_statement_import",
    "bank_statement_process",
    "bank_statement_queue",
    "bank_statement_record",
    "bank_statement_submit",
    "bank_transaction_assign",
    "bank_transaction_ignore",
    "normalise_payer",
    "parse_statement",
    "statement_report",
]

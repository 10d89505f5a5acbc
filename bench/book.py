"""A synthetic book, built fast on PostgreSQL (issue 16).

Two steps:

1. **Template** (``build_template``): ``TEMPLATE_CUSTOMERS`` customers, each with two contracts spread
   over the five presets (``load_presets``), three members holding seats and a payment method, applied for,
   approved and activated through the services, then the whole daily job list (``core.jobs.run_all``)
   replayed for ``history_days`` days. Nine of ten customers pay by CMS or card (the fake gateway, through
   ``collect_payments``); one pays by bank transfer and never pays: 10% overdue, walking its ladder. Every
   row is what the product writes itself.
2. **Clone** (``clone_template``): every row the template added (each table's rows above the id it had
   before the template) is copied ``copies`` times with ``INSERT … SELECT … CROSS JOIN generate_series``:
   primary keys and foreign keys into copied tables shift by that table's id span per copy; the
   simple-history ``id`` and the status log's generic ``object_id`` too. Values that must stay unique
   get a per-copy form: document numbers continue the gapless yearly series (the counters are raised to
   match), business numbers are new ones with a valid ACC-2 check digit, keys and logins get a suffix.
   Global rows written while building the template (job runs, counters) are not copied.

So 100,000 contracts cost the template (a minute or two) plus a few set-based statements per table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.test.utils import override_settings

from accounts.models import Customer, Member
from billing.models import DocumentCounter
from contracts.management.commands import seed_demo
from contracts.models import ContractStatus
from contracts.presets import load_presets
from core import clock, jobs
from core.audit import acting_as

#: Customers in the template; each has two contracts, so a copy adds twice as many contracts.
TEMPLATE_CUSTOMERS = 10
#: Plans of the template customers' two contracts: every preset and every plan appears.
PLAN_PAIRS: tuple[tuple[str, str], ...] = (
    ("officecore-standard-monthly", "dcloud-vm-standard"),
    ("flow-business-monthly", "kgmsg-standard"),
    ("damoa-standard", "officecore-standard-annual"),
    ("dcloud-vm-performance", "flow-business-monthly"),
    ("kgmsg-standard", "damoa-standard"),
    ("officecore-standard-monthly", "flow-business-annual"),
    ("dcloud-vm-standard", "kgmsg-standard"),
    ("damoa-standard", "flow-business-monthly"),
    ("officecore-standard-monthly", "dcloud-vm-performance"),
    ("flow-business-monthly", "dcloud-vm-standard"),
)
#: The template customer (index) that pays by bank transfer and never pays: 1 in 10 overdue.
OVERDUE_INDEX = 9

#: Tables whose rows are global, not a customer's: never copied (their FKs into them are kept as is).
GLOBAL_TABLES = frozenset({
    "core_jobrun", "core_heartbeat", "core_holiday", "core_historicalholiday", "core_idempotencykey",
    "billing_documentcounter",
    "contracts_policy", "contracts_historicalpolicy", "contracts_plan", "contracts_historicalplan",
    "contracts_termsdocument", "contracts_termsarticle", "contracts_termsrelease",
    "contracts_historicaltermsrelease",
    "messaging_noticetemplate", "messaging_historicalnoticetemplate", "messaging_broadcast",
    "messaging_historicalbroadcast",
    "sla_incident", "sla_historicalincident", "sla_incidentupdate", "sla_maintenancewindow",
    "sla_historicalmaintenancewindow", "sla_errorratesample",
    "django_session", "django_content_type", "django_migrations", "auth_group", "auth_permission",
    "auth_group_permissions", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog",
    "axes_accessattemptexpiration", "authtoken_token",
})
#: Document number columns (``INV-2026-000001``, billing.services.numbering): continued per copy.
NUMBER_COLUMNS = frozenset({("billing_invoice", "number"), ("billing_creditnote", "number")})


@dataclass
class BookInfo:
    """What was built: sizes, the dates, and how long each step took."""

    today: dt.date
    history_from: dt.date
    copies: int = 0
    customers: int = 0
    contracts: int = 0
    live_contracts: int = 0
    invoices: int = 0
    overdue_invoices: int = 0
    template_seconds: float = 0.0
    clone_seconds: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)  # rows added per copied table (template)

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["today"] = self.today.isoformat()
        data["history_from"] = self.history_from.isoformat()
        return data


def _spec(i: int, plan: str) -> seed_demo.DemoCustomer:
    prefix = f"{800_000_000 + i:09d}"
    pays = seed_demo.PAY_BANK if i == OVERDUE_INDEX else (seed_demo.PAY_CMS if i % 2 else seed_demo.PAY_CARD)
    slug = f"bench{i:02d}"
    members = (
        seed_demo.DemoMember(f"{slug}-admin", "김관리", Member.Role.ADMIN, "경영지원팀"),
        seed_demo.DemoMember(f"{slug}-a", "이영업", department="영업팀"),
        seed_demo.DemoMember(f"{slug}-b", "박개발", department="개발팀"),
    )
    return seed_demo.DemoCustomer(
        plan.split("-", 1)[0], plan, f"주식회사 벤치{i:02d}", "홍대표", prefix,
        "서울특별시 중구 세종대로 110", f"{slug}.example", members, pays=pays,
    )


def build_template(*, today: dt.date, history_days: int) -> dt.date:
    """The template customers through the services, then ``history_days`` of daily jobs up to ``today``
    (inclusive). Returns the first history day."""
    start = today - dt.timedelta(days=history_days)
    result = seed_demo.SeedResult()
    with acting_as(job="bench_book"):
        for i, (first, second) in enumerate(PLAN_PAIRS[:TEMPLATE_CUSTOMERS]):
            spec = _spec(i, first)
            with clock.frozen(start), transaction.atomic():
                customer = seed_demo._customer(spec, start, result)
                admin = seed_demo._members(spec, customer, result)
                for plan in (first, second):
                    contract = seed_demo._contract(
                        dataclasses.replace(spec, plan=plan), customer, admin, start, result
                    )
                    seed_demo._seats(customer, contract)
                seed_demo._payment_method(spec, customer, result)
        logging.disable(logging.INFO)  # a line per job and day otherwise
        try:
            for day in jobs.dates(start, today):
                jobs.run_all(day)
        finally:
            logging.disable(logging.NOTSET)
    return start


# --------------------------------------------------------------------------- cloning


def _copyable_models() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in GLOBAL_TABLES:
            continue
        if not isinstance(meta.pk, models.AutoField | models.BigAutoField | models.IntegerField):
            continue
        if isinstance(meta.pk, models.OneToOneField | models.ForeignKey):
            continue
        found.append(model)
    return found


def _max_ids(tables: Iterable[tuple[str, str]]) -> dict[str, int]:
    out = {}
    with connection.cursor() as cursor:
        for table, pk in tables:
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # noqa: S608 (our table names)
            out[table] = int(cursor.fetchone()[0])
    return out


def snapshot() -> dict[str, int]:
    """Each copyable table's highest id: the template's rows are the ones above it."""
    return _max_ids((m._meta.db_table, m._meta.pk.column) for m in _copyable_models())


def _unique_sets(model: type[models.Model]) -> list[list[Any]]:
    meta = model._meta
    sets: list[list[Any]] = []
    for f in meta.concrete_fields:
        if f.unique and not f.primary_key:
            sets.append([f])
    for c in meta.constraints:
        if isinstance(c, models.UniqueConstraint) and c.fields:
            sets.append([meta.get_field(name) for name in c.fields])
    for together in meta.unique_together:
        sets.append([meta.get_field(name) for name in together])
    return sets


def _business_number_sql(new_id: str) -> str:
    """Nine digits from the new customer id plus the ACC-2 check digit (accounts.validators)."""
    prefix = f"('7' || lpad(mod({new_id}, 100000000)::text, 8, '0'))"
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    digit = "substr({p}, {i}, 1)::int"
    terms = " + ".join(f"{w} * {digit.format(p=prefix, i=i + 1)}" for i, w in enumerate(weights))
    total = f"({terms} + ({digit.format(p=prefix, i=9)} * 5) / 10)"
    return f"({prefix} || mod(10 - mod({total}, 10), 10)::text)"


def _number_sql(column: str, per_year: dict[str, int]) -> str:
    cases = " ".join(f"WHEN '{key}' THEN {count}" for key, count in sorted(per_year.items()))
    head = f"split_part({column}, '-', 1) || '-' || split_part({column}, '-', 2)"
    n = f"(split_part({column}, '-', 3)::int + k * (CASE {head} {cases} ELSE 0 END))"
    return f"({head} || '-' || lpad({n}::text, greatest(6, length({n}::text)), '0'))"


@dataclass
class _Plan:
    base: dict[str, int]
    span: dict[str, int]
    per_year: dict[str, int]
    tag: int  # grows with every clone of the same database (its highest id before the clone)

    def shifted(self, table: str, column: str) -> str:
        return (
            f'CASE WHEN "{column}" > {self.base[table]} THEN "{column}" + k * {self.span[table]}::bigint '
            f'ELSE "{column}" END'
        )


def _transforms(model: type[models.Model], plan: _Plan, copied: set[str]) -> dict[str, str]:
    """column → SQL for the values that must differ per copy (``new_id`` is replaced later)."""
    out: dict[str, str] = {}
    table = model._meta.db_table
    for fields in _unique_sets(model):
        if any(f.primary_key or f.is_relation for f in fields):
            continue  # a shifted key keeps the copy unique (a key into a table not copied is empty here)
        texts = [f for f in fields if isinstance(f, models.CharField | models.TextField) and not f.choices]
        if not texts:
            raise RuntimeError(f"bench: cannot copy {table}: unique {[f.name for f in fields]}")
        f = texts[0]
        col = f'"{f.column}"'
        if (table, f.column) in NUMBER_COLUMNS:
            out[f.column] = _number_sql(col, plan.per_year)
        elif f.column == "business_number":
            out[f.column] = _business_number_sql("{new_id}")
        elif f.column == "sha256":
            out[f.column] = f"encode(sha256(convert_to({col} || k::text, 'UTF8')), 'hex')"
        else:
            room = (f.max_length or 200) - 9
            # the round tag: a second clone of a cloned book must not meet the first round's values
            out[f.column] = f"left({col}, {room - 12}) || '-b' || k::text || 'g' || {plan.tag}"
    return out


def clone_template(base: dict[str, int], copies: int) -> dict[str, int]:
    """Copy the template's rows ``copies`` times (one transaction); returns rows added per table."""
    if copies <= 0:
        return {}
    models_ = _copyable_models()
    now = _max_ids((m._meta.db_table, m._meta.pk.column) for m in models_)
    span = {t: now[t] - base.get(t, 0) for t in now}
    copied = {t for t, s in span.items() if s > 0}
    per_year = {
        f"{series}-{year}": last
        for series, year, last in DocumentCounter.objects.values_list("series", "year", "last_number")
    }
    plan = _Plan(base=base, span=span, per_year=per_year, tag=max(now.values()))
    content_types = _content_type_shifts(plan, copied)
    added: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for model in models_:
            meta = model._meta
            table = meta.db_table
            if table not in copied:
                continue
            instance = getattr(model, "instance_type", None)  # a simple-history table
            own = _transforms(instance or model, plan, copied)
            pk = meta.pk.column
            new_id = (
                plan.shifted(instance._meta.db_table, "id") if instance is not None
                and instance._meta.db_table in copied else f'"{pk}" + k * {span[table]}::bigint'
            )
            columns, values = [], []
            for f in meta.concrete_fields:
                columns.append(f'"{f.column}"')
                related: Any = f.related_model
                target = related._meta.db_table if f.is_relation and related else None
                if f.primary_key:
                    values.append(f'"{pk}" + k * {span[table]}::bigint')
                elif f.column in own:
                    values.append(own[f.column].replace("{new_id}", new_id))
                elif target in copied and isinstance(f, models.ForeignKey):
                    values.append(plan.shifted(target, f.column))
                elif instance is not None and f.column == "id" and instance._meta.db_table in copied:
                    values.append(plan.shifted(instance._meta.db_table, "id"))
                elif table == "core_statustransition" and f.column == "object_id" and content_types:
                    cases = " ".join(f"WHEN {ct} THEN {expr}" for ct, expr in content_types.items())
                    values.append(f'CASE "content_type_id" {cases} ELSE "object_id" END')
                else:
                    values.append(f'"{f.column}"')
            cursor.execute(
                f'INSERT INTO "{table}" ({", ".join(columns)}) '  # noqa: S608 (names from the models)
                f'SELECT {", ".join(values)} FROM "{table}" CROSS JOIN generate_series(1, %s) AS k '
                f'WHERE "{pk}" > %s',
                [copies, base.get(table, 0)],
            )
            added[table] = cursor.rowcount
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), (SELECT MAX(\"{pk}\") FROM \"{table}\"))",  # noqa: S608
                [table, pk],
            )
        DocumentCounter.objects.update(last_number=models.F("last_number") * (copies + 1))
    with connection.cursor() as cursor:
        for table in added:
            cursor.execute(f'ANALYZE "{table}"')
    return added


def _content_type_shifts(plan: _Plan, copied: set[str]) -> dict[int, str]:
    from django.contrib.contenttypes.models import ContentType

    out = {}
    for model in _copyable_models():
        table = model._meta.db_table
        if table in copied:
            ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
            out[ct.pk] = plan.shifted(table, "object_id")
    return out


# --------------------------------------------------------------------------- the whole book


def build_book(*, size: int, today: dt.date, history_days: int = 365, log: Any = None) -> BookInfo:
    """A book of about ``size`` contracts (a whole number of template copies) in the current database,
    which must hold nothing but the migrations. ``today`` is the last replayed day."""
    say = log or (lambda _msg: None)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        with acting_as(job="bench_book"):
            load_presets()
        if DocumentCounter.objects.filter(last_number__gt=0).exists():
            raise RuntimeError("bench: the database already holds numbered documents; use an empty one")
        base = snapshot()
        started = time.perf_counter()
        history_from = build_template(today=today, history_days=history_days)
        info = BookInfo(today=today, history_from=history_from)
        info.template_seconds = round(time.perf_counter() - started, 1)
        say(f"template: {TEMPLATE_CUSTOMERS} customers, {history_days} days in {info.template_seconds} s")
        per_copy = 2 * TEMPLATE_CUSTOMERS
        info.copies = max(0, -(-size // per_copy) - 1)
        started = time.perf_counter()
        info.tables = clone_template(base, info.copies)
        info.clone_seconds = round(time.perf_counter() - started, 1)
        say(f"clone: {info.copies} copies in {info.clone_seconds} s")
    _count(info)
    return info


def _count(info: BookInfo) -> None:
    from billing.models import Invoice
    from contracts.models import Contract

    info.customers = Customer.objects.count()
    info.contracts = Contract.objects.count()
    info.live_contracts = Contract.objects.filter(status=ContractStatus.ACTIVE).count()
    info.invoices = Invoice.objects.count()
    info.overdue_invoices = Invoice.objects.filter(
        status=Invoice.Status.ISSUED, due_date__lt=info.today
    ).count()

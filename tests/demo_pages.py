"""The demo book's pages, for the page-quality check and the navigation crawl (issue 15).

* :func:`seeded_demo` seeds the demo book (``manage.py seed_demo`` on :data:`DEMO_TODAY`) once for a test
  module, inside a transaction rolled back at the end.
* :func:`portal_pages` lists every portal page (and the public status pages) a member of a demo customer may
  GET, from the URL conf (``tests/access_matrix.py`` walks it and says who may GET what), with the URL
  arguments filled with that customer's own demo objects; :func:`admin_pages` lists the admin index, the
  app indexes, every changelist, one change page per model and the custom admin pages without arguments.
* :func:`page_problems` reads a rendered page and names what a person should never see on it: rule ids and
  seed article numbers on customer pages, amounts and quantities not formatted, Korean interface text
  left on an English page, Django's known-bad Korean admin strings, raw status and actor codes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import NoReverseMatch, URLPattern, reverse

from core import clock
from tests.access_matrix import RULES, collect_routes

#: The date the demo book is seeded on (as the browser tests: tests/e2e/conftest.py).
DEMO_TODAY = dt.date(2026, 11, 20)
LANGUAGES = ("ko", "en")


@contextlib.contextmanager
def seeded_demo(django_db_blocker: Any, media_root: str) -> Iterator[None]:
    """The demo book, seeded once on DEMO_TODAY with the clock frozen there, rolled back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root, CLOCK_TODAY=DEMO_TODAY.isoformat()),
        clock.frozen(DEMO_TODAY),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", "--date", DEMO_TODAY.isoformat(), stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --------------------------------------------------------------------------- which pages


@dataclass(frozen=True)
class Page:
    name: str  # the URL name ("portal:invoice_detail", "admin:billing_invoice_changelist")
    url: str

    def __str__(self) -> str:
        return f"{self.name} {self.url}"


#: Portal routes that answer a file or JSON, not a page a person reads.
NOT_PAGES = frozenset({
    "healthz", "readyz", "metrics",  # probes for machines (issue 19), not pages for people
    "portal:logout",
    "portal:change_request_document",
    "portal:contract_terms_comparison_pdf",
    "portal:invoice_pdf",
    "portal:message_bulk_progress_json",
    "portal:privacy_export_download",
})
#: Query strings a page needs (the access matrix's, with demo dates).
QUERIES = {"compare": "", "month": f"?month={(DEMO_TODAY.replace(day=1) - dt.timedelta(days=1)):%Y-%m}"}


def _values(customer: Any, member: Any) -> dict[str, list[Any]]:
    """Per URL reference of the access matrix (``Rule.kwargs`` values), the customer's own demo objects."""
    from accounts.models import CustomerChangeRequest, SuccessionRequest
    from billing.models import Dispute, Invoice, PaymentMethod
    from contracts.models import Contract
    from messaging.models import Broadcast, KakaoTemplate, Message, MessageBatch, Recipient
    from messaging.selectors import portal_notices_for
    from sla.models import Incident
    from sla.selectors import customer_sla_contracts, status_services

    def pks(qs: Any, limit: int | None = 1) -> list[Any]:
        rows = list(qs.order_by("-pk").values_list("pk", flat=True))
        return rows if limit is None else rows[:limit]

    contracts = Contract.objects.filter(customer=customer)
    return {
        "contract": pks(contracts, None),
        "invoice": pks(Invoice.objects.filter(customer=customer), None),
        "notice": _one_per_event(portal_notices_for(member)),
        "global:broadcast": pks(Broadcast.objects.all()),
        "global:policy_v2": sorted({c.plan.policy_id for c in contracts.select_related("plan")}),
        "global:service": sorted(set(status_services()) & {c.plan.policy.code for c in
                                                             contracts.select_related("plan__policy")}),
        "sla_contract": pks(customer_sla_contracts(customer), None),
        "victim": pks(customer.members.exclude(pk=member.pk)),
        "change_request": pks(CustomerChangeRequest.objects.filter(customer=customer)),
        "succession": pks(SuccessionRequest.objects.filter(predecessor=customer)),
        "message": pks(Message.objects.filter(customer=customer)),
        "batch": pks(MessageBatch.objects.filter(customer=customer)),
        "template": pks(KakaoTemplate.objects.filter(customer=customer)),
        "opt_out": list(Recipient.objects.filter(customer=customer).values_list("number", flat=True)[:1]),
        "incident": pks(Incident.objects.filter(contract__customer=customer)),
        "dispute": pks(Dispute.objects.filter(customer=customer)),
        "payment_method": pks(PaymentMethod.objects.filter(customer=customer)),
    }


def _one_per_event(notices: Any) -> list[int]:
    """The latest notice of each kind (event): the next dunning notice reads like the last one."""
    latest: dict[str, int] = {}
    for pk, event in notices.order_by("-pk").values_list("pk", "event"):
        latest.setdefault(event, pk)
    return sorted(latest.values())


def portal_routes() -> list[Any]:
    """The portal and public pages a person reads with GET (the access matrix's routes)."""
    return [
        r for r in collect_routes()
        if not r.is_api and r.name in RULES and "get" in RULES[r.name].methods and r.name not in NOT_PAGES
        and r.name != "set_language"
    ]


def portal_pages(member: Any, role: str) -> tuple[list[Page], list[str]]:
    """Every page of :func:`portal_routes` that ``role`` ("member" or "admin") may GET, filled with the
    member's customer's objects; and the route names without a demo object to fill them with."""
    from contracts.services.messaging_limits import has_messaging

    values = _values(member.customer, member)
    messaging = has_messaging(member.customer, today=clock.today())
    pages: list[Page] = []
    missing: list[str] = []
    for route in portal_routes():
        rule = RULES[route.name]
        if role not in rule.methods["get"]:
            continue
        if route.name == "portal:login" or route.name == "portal:reactivate":
            continue  # the pages before a login (the crawl starts logged in)
        if route.name.startswith("portal:message") and not messaging:
            continue  # the paid messaging pages: only for a customer with a live kgmsg contract (CON-13)
        names = list(rule.kwargs)
        refs = [rule.kwargs[n] for n in names]
        if route.name.startswith("portal:sla_"):
            refs = ["sla_contract" if ref == "contract" else ref for ref in refs]  # contracts with an SLA
        choices = [values.get(ref, []) for ref in refs]
        if any(not c for c in choices):
            missing.append(route.name)
            continue
        # one page per object of the first argument, the other arguments take their first value
        for first in choices[0] if choices else [None]:
            kwargs = {n: (first if i == 0 else choices[i][0]) for i, n in enumerate(names)}
            try:
                url = reverse(route.name, kwargs=kwargs or None)
            except NoReverseMatch:
                missing.append(route.name)
                continue
            pages.append(Page(route.name, url + (QUERIES.get(rule.query, "") if rule.query else "")))
    return pages, missing


def admin_pages(request: Any) -> list[Page]:
    """The admin index, each app index, every changelist, one change page per model with rows (the latest
    the admin lists to ``request``'s user), the custom admin pages that take no argument (dashboards,
    queues, calendars) and those about one object (a button's form), for that object."""
    pages = [Page("admin:index", reverse("admin:index"))]
    app_labels = sorted({m._meta.app_label for m in admin.site._registry})
    pages += [Page("admin:app_list", reverse("admin:app_list", args=[label])) for label in app_labels]
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label):
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        pages.append(Page(f"admin:{info}_changelist", reverse(f"admin:{info}_changelist")))
        first = model_admin.get_queryset(request).order_by("-pk").values_list("pk", flat=True).first()
        if first is not None:
            pages.append(Page(f"admin:{info}_change", reverse(f"admin:{info}_change", args=[first])))
        for entry in model_admin.get_urls():
            if not (isinstance(entry, URLPattern) and entry.name and custom_admin_view(entry.name, info)):
                continue
            groups = set(entry.pattern.regex.groupindex)
            if entry.pattern.regex.groups == 0:
                pages.append(Page(f"admin:{entry.name}", reverse(f"admin:{entry.name}")))
            elif first is not None and len(groups) == 1 == entry.pattern.regex.groups:
                # a page about one object (a button's form: the credit note, the dispute's answer)
                url = reverse(f"admin:{entry.name}", kwargs={groups.pop(): first})
                pages.append(Page(f"admin:{entry.name}", url))
    return pages


STANDARD = ("_changelist", "_add", "_change", "_delete", "_history", "_autocomplete")


def custom_admin_view(name: str, info: str) -> bool:
    """A view an admin adds in ``get_urls`` (not Django's own pages, not a past version's page)."""
    return not any(name == info + suffix for suffix in STANDARD) and not name.endswith("_simple_history")


# --------------------------------------------------------------------------- what a page shows


_SKIP_TEXT = frozenset({"script", "style", "template", "textarea"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})
_AMOUNT_FIELD = re.compile(r"\bfield-(\w*(?:_won|won_\w*|amount\w*|total\w*|price\w*|balance\w*))\b")


class PageText(HTMLParser):
    """The text a person reads on a page: text nodes (not scripts or styles), the labels in ``title``,
    ``placeholder``, ``aria-label`` and ``alt``, and submit buttons' ``value``; plus the text of admin
    cells and read-only fields of amount columns (``field-*_won``…), and every link's ``href``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.langs: list[str] = []  # per node, the language its element declares ("" when none)
        self.amount_cells: list[tuple[str, str]] = []
        self.links: list[str] = []
        self._skip = 0
        self._stack: list[str] = []
        self._lang: list[tuple[int, str]] = []  # (stack depth, lang) of elements declaring their language
        self._amount: list[tuple[str, int, list[str]]] = []  # (field, stack depth, text parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in _SKIP_TEXT:
            self._skip += 1
        for key in ("title", "placeholder", "aria-label", "alt"):
            if a.get(key):
                self._node(a[key])
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self._node(a["value"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form" and a.get("action"):  # a form leads to its page too (a filing, a request)
            self.links.append(a["action"])
        if tag in _VOID:
            return
        self._stack.append(tag)
        if a.get("lang") and tag != "html":
            self._lang.append((len(self._stack), a["lang"]))
        match = _AMOUNT_FIELD.search(a.get("class", ""))
        if match:
            self._amount.append((match.group(1), len(self._stack), []))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TEXT and self._skip:
            self._skip -= 1
        if tag in _VOID or tag not in self._stack:
            return
        while self._stack:
            top = self._stack.pop()
            while self._lang and self._lang[-1][0] > len(self._stack):
                self._lang.pop()
            while self._amount and self._amount[-1][1] > len(self._stack):
                name, _depth, parts = self._amount.pop()
                self.amount_cells.append((name, " ".join(" ".join(parts).split())))
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        text = " ".join(data.split())
        if text:
            self._node(text)
            for _name, _depth, parts in self._amount:
                parts.append(text)


    def _node(self, text: str) -> None:
        self.nodes.append(text)
        self.langs.append(self._lang[-1][1] if self._lang else "")


def read_page(html: str) -> PageText:
    parser = PageText()
    parser.feed(html)
    parser.close()
    return parser


# --------------------------------------------------------------------------- the checks

RULE_PREFIXES = ("ACC", "TRM", "CON", "BIL", "DUN", "SLA", "MSG", "DAT")
RULE_ID = re.compile(rf"\b(?:{'|'.join(RULE_PREFIXES)})-\d+\b")
#: a seed document's number before an article ("002 제32조③", "003 별표2", "001 art.19")
SEED_ARTICLE = re.compile(r"\b0\d\d\s*(?:제\s*\d+\s*조|별표|art\.?\s*\d)")
AMOUNT_UNFORMATTED = re.compile(r"(?<![\d,.])\d{4,}\s?원|(?:KRW|₩)\s?\d{4,}(?![\d,])")
BARE_NUMBER = re.compile(r"(?<![\d,.\-/:])\d{4,}(?![\d,\-/:])")
QUANTITY_UNFORMATTED = re.compile(r"(?<![\d.])\d+\.\d*000(?!\d)")
MONTH_UNFORMATTED = re.compile(r"\b\d{4}-\d{2}\s+월")
BAD_STOCK = (
    ("보기위한", re.compile(r"보기위한")),
    ("뷰 ", re.compile(r"(?<![가-힣])뷰 ")),
    ("(들)", re.compile(r"\(들\)")),
    ("(으)로", re.compile(r"\(으\)로")),
    ("를(을)", re.compile(r"를\(을\)")),
    ("을(를)", re.compile(r"을\(를\)")),
)
ACTOR_CODE = re.compile(r"\b(?:job|user|member|system):[\w.-]+")
ARROW_CODE = re.compile(r"\b[a-z_]{3,} → [a-z_]{3,}\b")
FLAG_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\s*:\s*(?:OK|True|False|None|true|false)\b")
#: a text node that is nothing but lower-case code words ("issued", "penalty / usage", "notify (2026-12-01)")
CODE_ONLY = re.compile(r"[a-z][a-z_]{2,}(?:\s*(?:/|,|→|·)\s*[a-z][a-z_]{2,})*(?:\s*\(\d{4}-\d{2}-\d{2}\))?")
HANGUL = re.compile(r"[가-힣]")


def _choice_codes() -> frozenset[str]:
    """Every stored value of a choices field whose label differs from it (a code people must not read)."""
    codes: set[str] = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            for value, label in getattr(f, "flatchoices", None) or ():
                if isinstance(value, str) and value != str(label) and re.fullmatch(r"[a-z][a-z_]+", value):
                    codes.add(value)
    return frozenset(codes)


@dataclass
class Catalogue:
    """The Korean msgids of our English catalogue: exact strings, and for msgids with placeholders a
    pattern keyed by their longest literal piece (checked only when that piece is on the page)."""

    exact: frozenset[str]
    patterns: list[tuple[str, re.Pattern[str], str, bool]] = field(default_factory=list)

    @classmethod
    def load(cls) -> Catalogue:
        mo = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.mo"
        with mo.open("rb") as handle:
            catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        msgids: set[str] = set()
        for key, translated in catalog.items():
            msgid = key[0] if isinstance(key, tuple) else key
            msgid = msgid.split("\x04", 1)[-1]
            if HANGUL.search(msgid) and not HANGUL.search(str(translated)):
                msgids.add(msgid)  # a msgid whose English keeps the Korean ("001 art.19-6-가") is not one
        exact: set[str] = set()
        patterns: list[tuple[str, re.Pattern[str], str, bool]] = []
        placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
        for msgid in msgids:
            text = " ".join(msgid.split())
            pieces = [p.strip() for p in placeholder.split(text)]
            if len(pieces) == 1:
                exact.add(text)
                continue
            longest = max(pieces, key=len)
            if len(longest) < 4 or not HANGUL.search(longest):
                continue
            regex = r"\s*.+?\s*".join(re.escape(p) for p in pieces)
            anchored = bool(pieces[0]) and bool(pieces[-1])  # starts and ends with its own words
            patterns.append((longest, re.compile(regex), text, anchored))
        return cls(frozenset(exact), patterns)

    def untranslated(self, node: str, *, inside: bool = True) -> str | None:
        """The msgid ``node`` shows untranslated: the whole node, a msgid with its placeholders filled, or
        (``inside``) one inside the node. Without ``inside`` (staff pages, full of Korean data: terms,
        templates, permission names) a msgid with placeholders must fill the whole node and begin and end
        with its own words."""
        if not HANGUL.search(node):
            return None
        if node in self.exact:
            return node
        for piece, pattern, msgid, anchored in self.patterns:
            if piece not in node:
                continue
            if inside and pattern.search(node):
                return msgid
            if not inside and anchored and pattern.fullmatch(node):
                return msgid
        if not inside:
            return None
        # a longer interface sentence inside a text node ("상태: 발행" → "상태" is too short to tell)
        for msgid in self._long:
            if msgid in node:
                return msgid
        return None

    @property
    def _long(self) -> list[str]:
        cached = self.__dict__.get("_long_cache")
        if cached is None:
            cached = sorted((m for m in self.exact if len(m) >= 8), key=len, reverse=True)
            self.__dict__["_long_cache"] = cached
        return cached


@dataclass
class Checker:
    catalogue: Catalogue = field(default_factory=Catalogue.load)
    codes: frozenset[str] = field(default_factory=_choice_codes)
    #: Korean strings on English pages that are data, not interface text (names of the demo customers…)
    data: frozenset[str] = frozenset()

    def problems(self, html: str, *, language: str, customer_page: bool) -> list[str]:
        page = read_page(html)
        found: list[str] = []

        def add(kind: str, snippet: str) -> None:
            item = f"{kind}: {snippet[:160]!r}"
            if item not in found:
                found.append(item)

        for node, lang in zip(page.nodes, page.langs, strict=True):
            if customer_page:
                for m in RULE_ID.finditer(node):
                    add("rule id shown to a customer", _around(node, m))
                for m in SEED_ARTICLE.finditer(node):
                    add("seed article number shown to a customer", _around(node, m))
            for m in AMOUNT_UNFORMATTED.finditer(node):
                add("amount without separators", _around(node, m))
            for m in QUANTITY_UNFORMATTED.finditer(node):
                add("quantity not formatted", _around(node, m))
            for m in MONTH_UNFORMATTED.finditer(node):
                add("month written by hand", _around(node, m))
            for label, pattern in BAD_STOCK:
                if pattern.search(node):
                    add(f"known-bad stock string {label!r}", node)
            for pattern, kind in ((ACTOR_CODE, "raw actor code"), (ARROW_CODE, "raw status codes"),
                                  (FLAG_CODE, "raw flag")):
                for m in pattern.finditer(node):
                    add(kind, _around(node, m))
            if (CODE_ONLY.fullmatch(node) and node not in self.data
                    and set(re.findall(r"[a-z_]+", node)) & self.codes):
                add("raw code value", node)
            # text declared Korean (lang="ko": the terms, which exist only in Korean) is not interface text
            if language == "en" and node not in self.data and lang != "ko":
                # staff pages are full of Korean data (terms, templates, permissions): whole msgids only
                msgid = self.catalogue.untranslated(node, inside=customer_page)
                if msgid is not None:
                    add("Korean interface text on the English page", node if node == msgid else
                        f"{node} (msgid {msgid!r})")
        for name, text in page.amount_cells:
            if BARE_NUMBER.search(text):
                add(f"amount column {name} not formatted", text)
        return found


def _around(text: str, match: re.Match[str], words: int = 6) -> str:
    """The match with ``words`` words either side. Counted in words, not characters: a window of characters
    starts where the numbers before it put it (``#58`` or ``#584``), and a defect must read the same on
    either."""
    starts = [m.end() for m in re.finditer(r"\s+", text[: match.start()])]
    start = starts[-words] if len(starts) >= words else 0
    ends = [m.start() for m in re.finditer(r"\s+", text[match.end() :])]
    end = match.end() + ends[words] if len(ends) > words else len(text)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def demo_data_strings() -> frozenset[str]:
    """Data of the demo book that may appear as is on a page: Korean names, addresses and plans on English
    pages; logins and staff group names ("admin", "billing") that look like codes but are names."""
    from django.contrib.auth.models import Group

    from accounts.models import Customer, Member
    from billing.models import BankTransaction
    from contracts.models import Plan, TermsArticle

    values: set[str] = set()
    for customer in Customer.objects.all():
        values |= {customer.legal_name, customer.representative_name, customer.address}
    values |= set(Member.objects.values_list("name", flat=True))
    values |= set(Member.objects.values_list("department", flat=True))
    values |= set(Plan.objects.values_list("name", flat=True))
    values |= set(get_user_model().objects.values_list("username", flat=True))
    values |= set(BankTransaction.objects.values_list("payer_name", flat=True))  # "홍길동" deposits too
    values |= set(TermsArticle.objects.values_list("title", flat=True))  # the terms' own headings
    values |= set(TermsArticle.objects.values_list("chapter_title", flat=True))
    values |= set(Group.objects.values_list("name", flat=True))
    return frozenset(v for v in values if v)

"""The page-quality check (issue 15): every portal page and every admin page of the demo book, in Korean and
in English, read as a person reads it.

The demo book (``manage.py seed_demo`` on ``DEMO_TODAY``) is seeded once for the module. Then, with the test
client:

* every portal page (and the public status pages) is rendered as the admin and as a plain member of each
  live demo customer, its URL filled with that customer's own objects (every contract and invoice, the
  latest notice of each kind, one of each other object) — the routes come from the URL conf through
  ``tests/access_matrix.py``, so a new page joins the check by itself;
* the admin index, each app index, every changelist, one change page per model and each custom admin page
  (dashboards, queues, a button's form for that object) are rendered as the superuser.

A page fails on a server error or a refusal of a page the caller may see, and on what a person should never
read (``tests/demo_pages.py``, ``Checker``): a rule id or a seed article number ("BIL-10", "002 제32조") on a
customer page; an amount of four digits or more without separators next to 원/KRW, or in an admin amount
column; a quantity like "1.0000"; a month written "2026-10 월"; Korean interface text (a msgid of our
English catalogue) on an English page; Django's known-bad Korean admin strings ("보기위한", "뷰 ", "(들)",
"(으)로", "를(을)"); raw actor, status and code values ("job:seed_demo", "applied → approved",
"false_name: OK", a bare "issued"). Failures are reported per page with the offending text.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from accounts.models import Member
from contracts.management.commands.seed_demo import ADMIN_USERNAME, DEMO_CUSTOMERS
from tests.demo_pages import (
    LANGUAGES,
    Checker,
    Page,
    admin_pages,
    demo_data_strings,
    portal_pages,
    seeded_demo,
)

pytestmark = pytest.mark.django_db

LIVE = [spec for spec in DEMO_CUSTOMERS if spec.activate]


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Checker]:
    with seeded_demo(django_db_blocker, str(tmp_path_factory.mktemp("page-quality-media"))):
        yield Checker(data=demo_data_strings())


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """The demo's files live in the module's media root (``demo``)."""


def client_for(user: Any, language: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


class Findings:
    """Problems per page (URL name and language); each defect once per page with the first URL it was seen
    on ("the same defect on the next invoice is not news"). A defect on many pages (a stock string in the
    admin's sidebar) is reported once, with the number of pages, before the per-page list."""

    SITE_WIDE = 5  # pages
    PER_KIND = 3  # examples of one kind of defect per page

    def __init__(self) -> None:
        self.by_page: dict[str, dict[str, str]] = {}  # page → defect shape → first occurrence
        self.pages = 0
        self.all_keys: set[str] = set()  # every defect found, however many the report shows

    def check(self, client: Client, page: Page, who: str, language: str, checker: Checker, *,
              customer_page: bool) -> None:
        self.pages += 1
        response = client.get(page.url)
        problems: list[str] = []
        if response.status_code >= 400:
            problems.append(f"HTTP {response.status_code}")
        elif response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            problems = checker.problems(response.content.decode(), language=language,
                                        customer_page=customer_page)
        seen = self.by_page.setdefault(f"[{language}] {page.name}", {})
        for problem in problems:
            shape = self.shape(problem)
            self.all_keys.add(f"[{language}] {page.name} | {self.key(shape)}")
            if shape in seen:
                continue
            kind = problem.split(":", 1)[0]
            if sum(1 for s in seen if s.split(":", 1)[0] == kind) >= self.PER_KIND:
                seen.setdefault(f"{kind}: more", f"{kind}: more of the same on this page")
                continue
            seen[shape] = f"{problem}  ({who} {page.url})"

    @staticmethod
    def shape(problem: str) -> str:
        """What makes two problems the same defect: a stock string is one whatever it is next to; otherwise
        the text with its numbers left out."""
        if problem.startswith("known-bad stock string"):
            return problem.split(":", 1)[0]
        return re.sub(r"\d+", "#", problem)

    @staticmethod
    def key(shape: str) -> str:
        """What the known-defects list counts: untranslated stored text by its kind per page (which lines
        show, and which msgid they match, depends on the data), anything else by its shape."""
        # several msgids may match one stored line, and which one is named depends on set order
        return shape.split(":", 1)[0] if "(msgid '" in shape else shape

    def __bool__(self) -> bool:
        return any(self.by_page.values())

    def keys(self) -> set[str]:
        """Each defect as "page | shape", the unit the known-defects list counts."""
        return set(self.all_keys)

    def report(self, title: str) -> str:
        pages_of: dict[str, list[str]] = {}
        for page, shapes in self.by_page.items():
            for shape in shapes:
                pages_of.setdefault(shape, []).append(page)
        wide = {shape for shape, pages in pages_of.items() if len(pages) >= self.SITE_WIDE}
        lines = [f"{title}: {sum(1 for s in self.by_page.values() if s)} of {len(self.by_page)} pages"]
        if wide:
            lines.append(f"\non {self.SITE_WIDE} pages or more:")
            for shape in sorted(wide, key=lambda s: -len(pages_of[s])):
                first = pages_of[shape][0]
                count = len(pages_of[shape])
                lines.append(f"    - {self.by_page[first][shape]}  [{count} pages, e.g. {first}]")
        for page, shapes in self.by_page.items():
            rest = [text for shape, text in shapes.items() if shape not in wide]
            if rest:
                lines.append(f"\n{page}")
                lines += [f"    - {text}" for text in rest]
        return "\n".join(lines)


#: Defects found and not fixed yet (issue 15), one "page | shape" a line, a file per section
#: (``page_quality_known_<section>.txt``). The check fails on any defect not listed there, and on any listed
#: one that is gone is reported as a warning (take it off the list). PAGE_QUALITY_RECORD=1 rewrites
#: the lists from a run.
def known_file(section: str) -> Path:
    return Path(__file__).with_name(f"page_quality_known_{section}.txt")


def assert_only_known(findings: Findings, section: str, title: str) -> None:
    path = known_file(section)
    known = set(path.read_text("utf-8").splitlines()) if path.exists() else set()
    found = findings.keys()
    if os.environ.get("PAGE_QUALITY_RECORD"):
        path.write_text("".join(f"{key}\n" for key in sorted(found)), "utf-8")
        return
    new = sorted(found - known)
    assert not new, "new defects:\n  " + "\n  ".join(new) + "\n\n" + findings.report(title)
    gone = sorted(known - found)
    if gone:  # which stored lines a page shows depends on the data; a warning, so the list can shrink
        warnings.warn(f"not found any more, take them off {path.name}:\n  " + "\n  ".join(gone), stacklevel=2)

def test_every_portal_page_reads_well_in_korean_and_english(demo: Checker) -> None:
    """Issue 15, TRM-1 (customers read the article of the terms, not a rule id): every portal page as the
    admin and a plain member (ACC-4) of each live demo customer, in Korean and English."""
    findings = Findings()
    not_filled: set[str] = set()
    filled: set[str] = set()
    for spec in LIVE:
        admin_member = Member.objects.get(login_id=spec.members[0].login_id)
        plain = Member.objects.filter(customer=admin_member.customer, role=Member.Role.MEMBER).first()
        assert plain is not None, spec.legal_name
        for role, member in (("admin", admin_member), ("member", plain)):
            pages, missing = portal_pages(member, role)
            not_filled |= set(missing)
            filled |= {p.name for p in pages}
            for language in LANGUAGES:
                client = client_for(member.user, language)
                for page in pages:
                    findings.check(client, page, member.login_id, language, demo, customer_page=True)
    assert findings.pages > 200, findings.pages
    assert_only_known(findings, "portal", "portal pages with problems")
    # Pages the demo book has no object for are named, so the list stays short and known.
    assert not_filled - filled <= NO_DEMO_OBJECT, sorted(not_filled - filled - NO_DEMO_OBJECT)


#: Portal pages the demo book has nothing to show on (no customer of the demo has such an object).
NO_DEMO_OBJECT = frozenset({
    "portal:change_request_detail",  # no customer change request (ACC-9) in the demo
    "portal:succession_detail",  # no succession filing (ACC-8)
    "portal:message_bulk_progress",  # no bulk send
    "portal:message_template_edit",  # no AlimTalk template
    "portal:sla_incident",  # no incident
    "portal:inbox_broadcast",  # no broadcast
})


def test_every_admin_page_reads_well_in_korean_and_english(demo: Checker) -> None:
    """Issue 15, DAT-6 (the admin's change pages are the staff's view of personal data): the admin index,
    app indexes, every changelist, one change page per model and the custom admin pages, as the superuser,
    in Korean and English. Rule ids may appear here (staff pages)."""
    superuser = get_user_model().objects.get(username=ADMIN_USERNAME)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    pages = admin_pages(request)
    findings = Findings()
    for language in LANGUAGES:
        client = client_for(superuser, language)
        for page in pages:
            findings.check(client, page, ADMIN_USERNAME, language, demo, customer_page=False)
    assert findings.pages > 150, findings.pages
    assert_only_known(findings, "admin", "admin pages with problems")


# --------------------------------------------------------------------------- the checker itself


def test_the_checker_names_each_kind_of_defect(demo: Checker) -> None:
    """Issue 15: each defect the check looks for is found in a page that has it, and a clean page passes."""
    bad = """<html><body><script>var x = "BIL-10 330000원";</script>
      <p>이의신청 기간이 지났습니다 (BIL-10). 002 제32조③ 참고</p>
      <p>미납 330000원</p><p>KRW 330000</p><p>수량 1.0000</p><p>2026-10 월 기본료</p>
      <p>보기위한 1청구서 를(을) 선택</p><p>뷰 청구서</p><p>사용자(들)</p><p>상태 (으)로</p>
      <p>job:seed_demo</p><p>user:sejong-admin</p><p>applied → approved</p><p>false_name: OK</p>
      <td>issued</td><td>penalty / usage</td><td>notify (2026-12-01)</td>
      <table><tr><td class="field-total_won">330000</td>
        <td class="field-open_amount"><b>12500</b></td></tr></table>
    </body></html>"""
    kinds = {p.split(":")[0] for p in demo.problems(bad, language="ko", customer_page=True)}
    assert kinds == {
        "rule id shown to a customer", "seed article number shown to a customer", "amount without separators",
        "quantity not formatted", "month written by hand", "known-bad stock string '보기위한'",
        "known-bad stock string '뷰 '", "known-bad stock string '(들)'", "known-bad stock string '(으)로'",
        "known-bad stock string '를(을)'", "raw actor code", "raw status codes", "raw flag", "raw code value",
        "amount column total_won not formatted", "amount column open_amount not formatted",
    }
    # the script's text is not read; staff pages may show rule ids
    staff = demo.problems("<p>BIL-10 청구서</p><script>x = 'KRW 330000'</script>", language="ko",
                          customer_page=False)
    assert staff == []
    good = """<p>미납 330,000원</p><p>KRW 330,000</p><p>수량 1</p><p>2026년 10월 기본료</p>
      <p>약관 제32조 제3항</p><p>리뷰 대기</p><td class="field-total_won">330,000원</td>
      <p>청구서 INV-2026-000011</p><a href="/billing/">청구서</a>"""
    assert demo.problems(good, language="ko", customer_page=True) == []
    # Korean interface text (a msgid of the English catalogue) on an English page; data (a customer's
    # name) and text declared Korean (lang="ko": the terms exist only in Korean) are not interface text
    english = demo.problems(
        '<h1>청구서</h1><p>주식회사 세종데이터</p><p>Invoices</p><div lang="ko"><p>청구서</p></div>',
        language="en", customer_page=True,
    )
    assert english == ["Korean interface text on the English page: '청구서'"]

"""Korean first, English second: the English catalogue covers every message (SPEC §11, MSG-1)."""

from __future__ import annotations

import ast
import gettext as gettext_module
import os
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Customer
from contracts.models import ContractStatus
from core.errors import DomainError

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = [ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"]


def _entries(path: Path) -> list[dict[str, object]]:
    """The live entries of a .po file: msgid, msgstr(s) and whether it is fuzzy (obsolete ``#~`` skipped)."""
    out: list[dict[str, object]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        fuzzy, current = False, ""
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            out.append({
                "msgid": fields["msgid"], "msgstr": fields.get("msgstr", ""), "ctxt": fields.get("msgctxt"),
                "plural": "msgid_plural" in fields, "translated": bool(strs) and all(strs), "fuzzy": fuzzy,
            })
    return out


# Directories that are not project source (virtualenv, collected static, uploads, caches).
_NOT_SOURCE = {".venv", ".mutation", "venv", "node_modules", "staticfiles", "media", "__pycache__"}


def test_no_app_has_its_own_locale_directory():
    """One catalogue: an app-level ``locale/`` would make makemessages put that app's strings there,
    outside the catalogue checked above (and LOCALE_PATHS would shadow it at runtime anyway)."""
    allowed = ROOT / "locale"

    def project_source(path: Path) -> bool:
        return path.is_relative_to(ROOT) and not any(
            part in _NOT_SOURCE or part.startswith(".") for part in path.relative_to(ROOT).parts
        )

    strays = [
        Path(config.path).resolve() / "locale" for config in apps.get_app_configs()
        if project_source(Path(config.path).resolve()) and (Path(config.path) / "locale").exists()
    ]
    for dirpath, dirnames, _files in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in _NOT_SOURCE and not d.startswith(".")]
        if "locale" in dirnames:
            found = Path(dirpath) / "locale"
            if found != allowed and found not in strays:
                strays.append(found)
            dirnames.remove("locale")
    assert not strays, (
        f"app-level locale directories {[str(p.relative_to(ROOT)) for p in strays]}: merge their "
        f"translations into {allowed.relative_to(ROOT)}/en/LC_MESSAGES/django.po and delete them"
    )


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_has_an_english_translation(path):
    """Every msgid in the English catalogue has a non-empty, non-fuzzy msgstr.

    After adding strings: run makemessages (README "Translations"), translate the new
    entries, compilemessages. This test names how many are left and the first few.
    """
    assert path.exists(), f"{path} is missing: run makemessages -l en (see README)"
    entries = _entries(path)
    assert len(entries) > 100
    missing = [e["msgid"] for e in entries if not e["translated"]]
    fuzzy = [e["msgid"] for e in entries if e["translated"] and e["fuzzy"]]
    problems = missing + fuzzy
    assert not problems, (
        f"{len(missing)} untranslated and {len(fuzzy)} fuzzy of {len(entries)} entries in "
        f"{path.relative_to(ROOT)}; first: {problems[:5]}"
    )


def test_compiled_catalogue_matches_the_source():
    """The .mo is committed (the demo runs without gettext); it must be compiled from the current .po."""
    for po in CATALOGUES:
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run compilemessages"
        with mo.open("rb") as handle:
            compiled = gettext_module.GNUTranslations(handle)
        stale = [
            e["msgid"] for e in _entries(po)
            if e["translated"] and not e["fuzzy"] and not e["plural"] and e["ctxt"] is None
            and compiled.gettext(str(e["msgid"])) != e["msgstr"]
        ]
        assert not stale, f"{mo} is out of date ({len(stale)} entries differ): run compilemessages"


@pytest.mark.parametrize(
    ("korean", "english"),
    [
        ("텀즈옵스 운영 관리", "TermsOps back office"),  # config (admin header)
        ("작업 실행 기록", "Job runs"),  # core
        ("사업자등록번호", "Business registration number"),  # accounts
        ("알림함으로 돌아가기", "Back to the inbox"),  # messaging
        ("청구서 번호", "Invoice number"),  # billing
        ("계약 해지", "Contract termination"),  # contracts
    ],
)
def test_messages_from_each_app_translate(korean, english):
    with translation.override("en"):
        assert gettext(korean) == english
    with translation.override("ko"):
        assert gettext(korean) == korean


def test_labels_and_domain_errors_in_english():
    """Choice labels and domain errors (rule messages with placeholders) render in English."""
    with translation.override("en"):
        assert str(ContractStatus.ACTIVE.label) == "Active"
        assert str(Customer.Kind.INDIVIDUAL_BUSINESS.label) == "Individual business"
    error = DomainError(
        "documents_missing", translation.gettext_lazy("필수 서류가 제출되지 않았습니다: {documents}"),
        rule="CON-3", documents="사업자등록증",
    )
    assert error.render("en") == "CON-3: Required documents are missing: 사업자등록증"
    assert error.render("ko") == "CON-3: 필수 서류가 제출되지 않았습니다: 사업자등록증"


@pytest.mark.django_db
def test_portal_language_switch(client):
    """The portal's language switch (Django set_language) turns the login page to English and back."""
    assert "고객 포털 로그인" in client.get("/login/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    page = client.get("/login/").content.decode()
    assert "Log in" in page and "고객 포털 로그인" not in page
    client.post("/i18n/setlang/", {"language": "ko", "next": "/login/"})
    assert "고객 포털 로그인" in client.get("/login/").content.decode()


def test_reactivate_page_sentence_is_one_message(rf):
    """The dormancy sentence is one translation with the date inside, not three pieces around it."""
    import datetime as dt

    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = rf.get("/login/reactivate/")
    request.user = AnonymousUser()
    context = {"login_id": "kim01", "dormant_on": dt.date(2026, 12, 1)}
    with translation.override("en"):
        page = render_to_string("portal/reactivate.html", context, request=request)
        undated = render_to_string("portal/reactivate.html", {**context, "dormant_on": None}, request=request)
    assert "Account kim01 has had no login for a long time and has been dormant since " in page
    assert "is stored separately as the law requires." in page and "ACC-10" not in page  # issue 15
    assert "Account kim01 has had no login for a long time and is dormant; its personal data" in undated
    with translation.override("ko"):
        page = render_to_string("portal/reactivate.html", context, request=request)
    assert "계정 kim01은 장기간 로그인 기록이 없어 " in page and "부터 휴면 상태이며" in page

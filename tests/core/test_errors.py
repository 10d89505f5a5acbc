"""Domain errors speak to people (ARCHITECTURE "Errors speak to people"; SPEC §11: stable code + message)."""

from __future__ import annotations

import pickle
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, DomainError, NotFound, PermissionDenied


def make_error() -> DomainError:
    return DomainError(
        "dispute_window_closed", _("이의신청 기간이 {deadline}에 끝났습니다 (청구액 {amount}원)."),
        rule="BIL-10", field="invoice", deadline="2026-12-05", amount=1234567,
    )


def test_domain_error_carries_code_rule_field_and_params():
    """§11: every error has a stable code and names the rule and field."""
    err = make_error()
    assert err.code == "dispute_window_closed"
    assert err.rule == "BIL-10"
    assert err.field == "invoice"
    assert err.params == {"deadline": "2026-12-05", "amount": 1234567}
    assert err.status_code == 400


def test_message_is_korean_with_the_rule_and_thousands_separators():
    """§11: the message names the rule and formats won amounts as 1,234,567."""
    err = make_error()
    expected = "BIL-10: 이의신청 기간이 2026-12-05에 끝났습니다 (청구액 1,234,567원)."
    assert err.message_ko == expected
    with translation.override("ko"):
        assert err.message == expected
        assert str(err) == expected


def test_message_en_uses_the_english_catalogue():
    """§11: message_en renders in English; Django's own catalogue proves the lazy switch
    (our Korean msgids have no English entries until locale/en is filled in)."""
    err = DomainError("required", _("This field is required."), field="name")
    assert err.message_en == "This field is required."
    assert err.message_ko == "이 필드는 필수 항목입니다."
    with translation.override("en"):
        assert err.message == "This field is required."
    # Without a catalogue entry, English falls back to the Korean msgid, still formatted.
    assert make_error().message_en.startswith("BIL-10: ")
    assert "1,234,567" in make_error().message_en


def test_as_dict_for_api_and_admin():
    """§11: the API body carries code, rule, field and both languages."""
    with translation.override("ko"):
        data = make_error().as_dict()
    assert data["code"] == "dispute_window_closed"
    assert data["rule"] == "BIL-10"
    assert data["field"] == "invoice"
    assert data["message"] == data["message_ko"]
    assert set(data) == {"code", "rule", "field", "message", "message_ko", "message_en"}


def test_without_rule_and_params():
    """§11: a plain message has no rule prefix."""
    err = DomainError("x", "그냥 오류")
    assert err.message_ko == "그냥 오류"
    assert err.rule is None and err.field is None


def test_params_formatting():
    """§11: ints and Decimals get thousands separators; bools and strings stay as they are."""
    err = DomainError("x", "{a} {b} {c} {d}", a=1000, b=Decimal("2500000"), c=True, d="1000")
    assert err.message_ko == "1,000 2,500,000 True 1000"


def test_mismatched_placeholders_do_not_crash():
    """§11: a message whose params don't match is shown unformatted, not a crash."""
    assert DomainError("x", "{missing} 금액", amount=1).message_ko == "{missing} 금액"
    assert DomainError("x", "{amount:d}원", amount=1000).message_ko == "{amount:d}원"


def test_subclasses_have_http_statuses():
    """§11: the API maps refusals to 404/403/409."""
    assert NotFound("x", "없음").status_code == 404
    assert PermissionDenied("x", "권한 없음").status_code == 403
    assert Conflict("x", "충돌").status_code == 409
    assert isinstance(Conflict("x", "충돌"), DomainError)


def test_domain_error_pickles():
    """§10: errors cross process boundaries (Celery); a keyword-only signature must survive pickling."""
    err = pickle.loads(pickle.dumps(make_error()))
    assert err.code == "dispute_window_closed"
    assert err.rule == "BIL-10" and err.field == "invoice"
    assert err.message_ko == make_error().message_ko
    conflict = pickle.loads(pickle.dumps(Conflict("dup", "중복", rule="BIL-2")))
    assert type(conflict) is Conflict and conflict.rule == "BIL-2"

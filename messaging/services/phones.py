"""Korean phone numbers (MSG-2, MSG-4): checked with ``phonenumbers``, stored as national digits."""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def normalize_phone(
    raw: object, *, field: str = "recipient", mobile: bool = True, rule: str = "MSG-2"
) -> str:
    """``raw`` as Korean national digits (``01012345678``), or a DomainError naming the field.

    ``mobile``: a recipient of SMS/KakaoTalk must be a mobile phone; a sender
    number may be any valid Korean number (02-, 1588-, 080-, 010-).
    """
    text = str(raw or "").strip()
    try:
        number = phonenumbers.parse(text, "KR")
    except phonenumbers.NumberParseException:
        number = None
    valid = (
        number is not None
        and number.country_code == 82
        and phonenumbers.is_valid_number(number)
        and (not mobile or phonenumbers.number_type(number) in MOBILE_TYPES)
    )
    if not valid or number is None:
        raise DomainError(
            "invalid_phone_number",
            _("올바른 휴대전화 번호가 아닙니다: {number}")
            if mobile
            else _("올바른 전화번호가 아닙니다: {number}"),
            field=field,
            rule=rule,
            number=text,
        )
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())

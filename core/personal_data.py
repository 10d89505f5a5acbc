"""DAT-6: which models hold a customer's personal data, and the one way to note that staff looked at it.

* :data:`PERSONAL_DATA_FIELDS` names the fields that hold personal data wherever they appear (a contact
  e-mail, a mobile number, a payer's name ...). A model whose personal data sits in fields with other
  names declares ``PERSONAL_DATA = True`` (a member's ``name``, a consent's IP address, a kept record's
  payload). :func:`holds_personal_data` answers for a model; the admin guard test walks the admin registry
  with it, so a new admin of such a model without logging fails.
* :func:`log_access` writes the staff access log through the :data:`access_log` hook: the log's model
  lives in ``accounts`` (it points at a customer), and core imports no app. ``accounts`` installs the
  writer in ``AccountsConfig.ready``; an empty hook raises (decision 11), never a silently missing log.
* The log holds who, which customer, what (the model label and object id, or a list or an export), when
  and through which interface; never a copy of the personal data itself.

Customer members reading their own company's data (portal, API) are the data subject's side, not staff
access; only staff interfaces log (:class:`core.adminkit.PersonalDataAdminMixin`, staff downloads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .hooks import Hook

#: Field names that hold personal data on any model (DAT-6). Names that are generic elsewhere (``name``,
#: ``number``, ``text``) are not listed; their models set ``PERSONAL_DATA = True`` instead.
PERSONAL_DATA_FIELDS = frozenset(
    {
        "email",
        "mobile",
        "phone",
        "login_id",
        "first_name",
        "last_name",
        "birth_date",
        "address",
        "representative_name",
        "legal_representative_name",
        "billing_email",
        "billing_mobile",
        "payer_name",
        "payer_contact",
        "refund_account_number",
        "refund_account_holder",
        "recipient",
        "buyer_representative",
        "buyer_email",
        "user_email",
        "user_first_name",
        "user_last_name",
        "ip_address",
        "successor_data",
    }
)


class AccessKind(models.TextChoices):
    DETAIL = "detail", _("상세 조회")
    HISTORY = "history", _("변경 이력 조회")
    LIST = "list", _("목록 조회")
    EXPORT = "export", _("내보내기")


class AccessVia(models.TextChoices):
    ADMIN = "admin", _("관리자 화면")
    API = "api", _("API")
    EXPORT = "export", _("파일 다운로드")


def holds_personal_data(model: type[models.Model]) -> bool:
    """Whether ``model`` holds a customer's personal data: its ``PERSONAL_DATA`` marker if it has one,
    else whether one of its own fields is in :data:`PERSONAL_DATA_FIELDS`."""
    marker = getattr(model, "PERSONAL_DATA", None)
    if marker is not None:
        return bool(marker)
    return any(
        getattr(field, "concrete", False) and field.name in PERSONAL_DATA_FIELDS
        for field in model._meta.get_fields()
    )


access_log: Hook[Callable[..., int]] = Hook(
    "core.personal_data.access_log",
    provider="accounts",
    purpose="DAT-6: writes the staff personal-data access log (accounts.PersonalDataAccess)",
)


def log_access(
    *,
    user: Any,
    model: type[models.Model],
    customer_ids: Iterable[int | None],
    kind: str,
    via: str,
    object_id: Any = "",
) -> int:
    """Note that staff ``user`` saw personal data of each customer in ``customer_ids`` (``None``: rows of no
    known customer, such as an unmatched bank transaction). One row per distinct customer; returns the
    number written. Anonymous users write nothing (they saw nothing: the views refuse them)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    writer = access_log.get()
    distinct = list(dict.fromkeys(customer_ids))
    if not distinct:
        return 0
    return writer(
        user=user,
        customer_ids=distinct,
        what=model._meta.label_lower,
        object_id=str(object_id),
        kind=kind,
        via=via,
    )

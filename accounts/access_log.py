"""DAT-6: the writer of the staff personal-data access log, installed into ``core.personal_data.access_log``.

Core's admin and API plumbing decide *when* staff saw personal data; this module only records it, one row
per customer, in one insert. The rows name the staff user, the customer, the model and object (or a list or
an export) and the interface; never the personal data itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import PersonalDataAccess

MEMBER_LABEL = "accounts.member"


def personal_data_access_record(
    *,
    user: Any,
    customer_ids: Iterable[int | None],
    what: str,
    object_id: str,
    kind: str,
    via: str,
) -> int:
    """Append one log row per customer; returns how many were written."""
    member_id = int(object_id) if what == MEMBER_LABEL and object_id.isdigit() else None
    rows = [
        PersonalDataAccess(user=user, customer_id=customer_id, member_id=member_id, what=what,
                           object_id=object_id, kind=kind, via=via)
        for customer_id in customer_ids
    ]
    PersonalDataAccess.objects.bulk_create(rows)
    return len(rows)

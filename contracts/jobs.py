"""Daily jobs of the contracts app (SPEC §10): thin wrappers the job runner calls with a date."""

from __future__ import annotations

import datetime as dt

from .services import applications, dormancy, renewal, suspension, termination, terms


def activate_contracts(*, today: dt.date) -> dict[str, int]:
    return applications.activate_due(today=today)


def renew_contracts(*, today: dt.date) -> dict[str, int]:
    return renewal.renew_due(today=today)


def complete_terminations(*, today: dt.date) -> dict[str, int]:
    return termination.complete_due(today=today)


def terms_transition(*, today: dt.date) -> dict[str, int]:
    return terms.terms_transition(today=today)


def contract_suspensions(*, today: dt.date) -> dict[str, int]:
    return suspension.suspensions_due(today=today)


def dormant_accounts(*, today: dt.date) -> dict[str, int]:
    """ACC-10: inactivity notices, then dormancy (separated personal data, login disabled)."""
    return dormancy.dormant_accounts(today=today)

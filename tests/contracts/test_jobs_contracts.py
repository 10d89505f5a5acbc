"""SPEC §10 for the contracts jobs: running twice for a date changes nothing the second time, and two workers
running the same job for the same date at once do the work once (CON-4, CON-6, CON-7, CON-10, TRM-4)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from contracts import jobs
from contracts.models import Contract, ContractPeriod, ContractTransition, Policy, TermsConsent
from contracts.policy import policy_clone
from contracts.presets import load_presets
from contracts.services import suspension, termination, terms
from messaging.defaults import ensure_default_templates
from messaging.models import Notice
from tests.contracts.conftest import D, active, approved


def _counts() -> tuple[int, int, int, int]:
    return (
        ContractTransition.objects.count(),
        ContractPeriod.objects.count(),
        Notice.objects.count(),
        TermsConsent.objects.count(),
    )


def _scenario(job: str) -> tuple[Callable[..., dict[str, int]], dt.date]:
    """Data with work due for ``job``; returns the job function and the date."""
    if job == "activate_contracts":
        approved("officecore")
        approved("dcloud")
        return jobs.activate_contracts, D(2026, 1, 5)
    if job == "renew_contracts":
        active("flow")
        active("damoa")
        active("dcloud")  # only reminded
        return jobs.renew_contracts, D(2026, 2, 5)
    if job == "complete_terminations":
        for code in ("officecore", "flow"):
            c = active(code)
            termination.termination_request(contract=c, effective_on=D(2026, 3, 1), today=D(2026, 3, 1))
        return jobs.complete_terminations, D(2026, 3, 1)
    if job == "contract_suspensions":
        for _ in range(2):
            suspension.suspension_schedule(
                contract=active("damoa"), reason="위반", today=D(2026, 2, 1), days=5
            )
        return jobs.contract_suspensions, D(2026, 2, 8)
    if job == "terms_transition":
        active("officecore")
        active("officecore")
        draft = policy_clone(policy=Policy.objects.get(code="officecore", version=1))
        terms.terms_publish(
            policy=draft,
            previous=Policy.objects.get(code="officecore", version=1),
            effective_on=D(2026, 3, 1),
            reasons="개정",
            today=D(2026, 2, 1),
        )
        return jobs.terms_transition, D(2026, 3, 1)
    raise AssertionError(job)


JOBS = [
    "activate_contracts",
    "renew_contracts",
    "complete_terminations",
    "contract_suspensions",
    "terms_transition",
]


@pytest.mark.django_db
@pytest.mark.parametrize("job", JOBS)
def test_job_twice_same_date_is_idempotent(presets, job):
    """§10 (CON-4, CON-6, CON-7, CON-10, TRM-4): the second run for the same date does nothing."""
    func, day = _scenario(job)
    first = func(today=day)
    assert any(first.values()), first
    after_first = _counts()
    second = func(today=day)
    assert not any(second.values()), second
    assert _counts() == after_first


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("job", JOBS)
def test_two_workers_same_date_do_the_work_once(job):
    """§10 (CON-4, CON-6, CON-7, CON-10, TRM-4): two threads run the job for the same date at the same moment
    (the job function itself, not the runner); each transition, period, notice and consent exists once."""
    load_presets()
    ensure_default_templates()
    func, day = _scenario(job)
    expected_func, _day = func, day
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[dict[str, int]] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(expected_func(today=day))
        except BaseException as exc:  # report in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    combined = {k: sum(r.get(k, 0) for r in results) for r in results for k in r}
    # The same work done by one run alone:
    after = _counts()
    assert not any(func(today=day).values())
    assert _counts() == after
    # No duplicates: one transition per (contract, from, to, date); one notice per key/channel/recipient.
    transitions = list(
        ContractTransition.objects.values_list("contract_id", "from_status", "to_status", "on_date")
    )
    assert len(transitions) == len(set(transitions))
    periods = list(ContractPeriod.objects.values_list("contract_id", "number"))
    assert len(periods) == len(set(periods))
    notices = list(Notice.objects.values_list("dedupe_key", "channel", "recipient"))
    assert len(notices) == len(set(notices))
    assert any(combined.values()), combined
    expected = {
        "activate_contracts": ("activated", 2),
        "renew_contracts": ("renewed", 2),
        "complete_terminations": ("terminated", 2),
        "contract_suspensions": ("started", 2),
        "terms_transition": ("deemed", 2),
    }[job]
    assert combined[expected[0]] == expected[1], combined
    assert Contract.objects.count() >= 2

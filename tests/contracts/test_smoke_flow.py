"""Smoke: apply → approve → activate → renew → terminate under each preset (CON-1, CON-4, CON-6, CON-7)."""

import datetime as dt

import pytest
from django.core.management import call_command

from contracts.models import Contract, ContractStatus, Plan
from contracts.presets import load_presets
from contracts.services import applications, termination
from tests.factories import AdminMemberFactory

D = dt.date


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["officecore", "flow", "dcloud", "kgmsg", "damoa"])
def test_full_path(code):
    """CON-1: a contract walks its lifecycle through services and run_jobs."""
    load_presets()
    plan = Plan.objects.filter(policy__code=code).order_by("pk").first()
    admin = AdminMemberFactory()
    c = applications.contract_apply(customer=admin.customer, plan=plan, requested_start=D(2026, 1, 5),
                                    today=D(2026, 1, 2), member=admin)
    for doc in plan.required_documents:
        from django.core.files.uploadedfile import SimpleUploadedFile
        applications.document_upload(contract=c, kind=doc, upload=SimpleUploadedFile(f"{doc}.pdf", b"x"),
                                      today=D(2026, 1, 2))
    applications.contract_approve(contract=c, today=D(2026, 1, 3))
    call_command("run_jobs", "--date", "2026-01-03", "--until", "2026-01-06", "--no-progress")
    c.refresh_from_db()
    assert c.status == ContractStatus.ACTIVE
    assert c.activated_on == D(2026, 1, 5)
    p = c.periods.get()
    print(code, c.term_months, p.starts_on, p.ends_on)
    s = termination.termination_preview(contract=c, effective_on=D(2026, 3, 20), today=D(2026, 3, 1))
    print(s)
    termination.termination_request(contract=c, effective_on=D(2026, 3, 20), today=D(2026, 3, 1))
    call_command("run_jobs", "--date", "2026-03-19", "--until", "2026-03-21", "--no-progress")
    c.refresh_from_db()
    assert c.status == ContractStatus.TERMINATED
    print([ (t.from_status, t.to_status, t.on_date) for t in c.transitions.all()])
    assert Contract.objects.count() == 1

"""Schemathesis over ``/api/schema/`` in-process against the WSGI app (issue #14): every documented
operation, generated requests sent as a customer admin; no server error and no conformance failure
(status code documented, content type, response body matching its schema).

``API_FUZZ_EXAMPLES`` (default 5) bounds the examples per operation so the test stays within ~2 minutes.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from core import clock
from tests.factories import AdminMemberFactory

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def refused_by_a_rule(response: Any) -> bool:
    """A 400 whose error names a rule of the terms (``"rule": "CON-1"`` …): the request had the documented
    shape and the terms refused it in the current state (no such plan, no credit to refund, wrong
    credentials). The schema promises which requests are well formed, not which ones the terms allow."""
    if response.status_code != 400:
        return False
    try:
        return bool(response.json()["error"]["rule"])
    except (ValueError, KeyError, TypeError):
        return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_conformance_failure(capsys):
    """SPEC §11 (issue #14): 0 server errors and 0 conformance failures over every documented operation:
    status codes, content types and bodies as documented, and no schema-valid request refused as
    malformed (schemathesis' positive data acceptance; refusals naming a rule of the terms aside)."""
    from config.wsgi import application

    member = AdminMemberFactory()
    token = Token.objects.create(user=member.user)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    stats: dict[str, int] = {"operations": 0, "cases": 0, "server_errors": 0, "rule_refusals": 0}
    failures: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        stats["operations"] += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
            suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
        )
        def exercise(case: Any) -> None:
            stats["cases"] += 1
            with clock.frozen(clock.today()):
                response = case.call(headers=headers)
            if response.status_code >= 500:
                stats["server_errors"] += 1
            checks = list(CHECKS)
            if refused_by_a_rule(response):
                stats["rule_refusals"] += 1
            else:
                checks.append(positive_data_acceptance)  # schema-valid data is not refused as malformed
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except (Exception, FailureGroup) as exc:  # collect every failure, report them together
                subs = getattr(exc, "exceptions", [exc])
                titles = "; ".join(getattr(sub, "title", type(sub).__name__) for sub in subs)
                failures.append(f"{case.method} {case.path} -> {response.status_code}: {titles}")
                if os.environ.get("API_FUZZ_REPORT"):
                    with open(os.environ["API_FUZZ_REPORT"], "a") as report:
                        report.write(f"==== {case.method} {case.path} -> {response.status_code}\n{exc}\n")

        exercise()

    with capsys.disabled():
        print(f"\nAPI fuzz: {stats['operations']} operations, {stats['cases']} cases, "
              f"{stats['server_errors']} server errors, {len(failures)} failures, "
              f"{stats['rule_refusals']} refused by a rule of the terms")
    assert stats["operations"] > 40
    assert failures == [], "\n".join(failures[:60])
    assert stats["server_errors"] == 0

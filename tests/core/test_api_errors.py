"""Every API failure answers the JSON error with Korean and English messages (issue #14, docs/api.md):
unknown paths, wrong methods, oversized and unparsable bodies, unsupported media, crashes; the schema
documents them."""

from __future__ import annotations

import json

import pytest
import yaml
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import AdminMemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.idempotency_urls")]


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(AdminMemberFactory().user)
    return client


def error(response) -> dict:  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()["error"]
    assert set(body) >= {"code", "message", "rule", "field", "message_ko", "message_en"}
    return body


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/nothing", "/api/v1/invoices/999999/pdf/x/"])
def test_unknown_api_paths_are_json_404(api, path):
    """SPEC §11 (issue #14): an unknown path under /api/ is the JSON ``not_found``, not Django's HTML."""
    response = api.get(path)
    assert response.status_code == 404
    body = error(response)
    assert body["code"] == "not_found"
    assert body["message_ko"] == "요청한 주소나 대상을 찾을 수 없습니다."


def test_pages_outside_the_api_keep_html_404(client):
    """SPEC §11: only /api/ answers JSON; the portal keeps its HTML page."""
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_wrong_method_is_json_405_in_both_languages(api):
    """SPEC §11: DELETE on a list is 405 with the method named in Korean and English."""
    response = api.delete("/api/v1/payments/")
    assert response.status_code == 405
    body = error(response)
    assert body["code"] == "method_not_allowed"
    assert body["message_ko"] == "이 주소는 DELETE 메서드를 허용하지 않습니다."


def test_oversized_body_is_json_413(api, settings):
    """SPEC §11 (issue #14): a body over DATA_UPLOAD_MAX_MEMORY_SIZE is 413 JSON, not an HTML 400."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/api/v1/payments/", json.dumps({"payer_name": "가" * 2000}),
                        content_type="application/json", HTTP_IDEMPOTENCY_KEY="big")
    assert response.status_code == 413
    body = error(response)
    assert body["code"] == "request_too_large"
    assert body["message_ko"] == "요청 본문이 너무 큽니다 (최대 1,000바이트)."


def test_unparsable_body_and_unsupported_media_are_json(api):
    """SPEC §11: broken JSON is 400 ``parse_error``; a text/plain body is 415 ``unsupported_media_type``."""
    broken = api.post("/api/v1/members/", "{oops", content_type="application/json")
    assert broken.status_code == 400 and error(broken)["code"] == "parse_error"
    plain = api.post("/api/v1/members/", "hello", content_type="text/plain")
    assert plain.status_code == 415 and error(plain)["code"] == "unsupported_media_type"


def test_a_crash_under_the_api_is_json_500():
    """SPEC §11: an unexpected error under /api/ answers the JSON ``server_error`` (no traceback, no HTML)."""
    response = Client(raise_request_exception=False).get("/api/test-crash/")
    assert response.status_code == 500
    body = error(response)
    assert body["code"] == "server_error" and "boom" not in response.content.decode()


def test_schema_documents_the_error_statuses_with_the_error_body(client):
    """SPEC §11: every operation documents 400/401/403/404/405/406/413/415 with the error schema."""
    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert "Error" in schema["components"]["schemas"]
    operations = [op for item in schema["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert len(operations) > 40
    for operation in operations:
        for code in ("400", "401", "403", "404", "405", "406", "413", "415"):
            content = operation["responses"][code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (operation["operationId"], code)

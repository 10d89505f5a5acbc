"""API plumbing (SPEC §11): OpenAPI schema and docs, token auth, every error JSON with a stable code."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.api import AuditedAPIView
from core.audit import current_actor
from core.errors import Conflict, DomainError

factory = APIRequestFactory()


class PingApi(APIView):
    """Uses the project defaults: TokenAuthentication first, IsAuthenticated, core.api.exception_handler."""

    def get(self, request):
        return Response({"user": request.user.get_username(), "actor": current_actor().label})


class WhoApi(AuditedAPIView):
    def get(self, request):
        return Response({"actor": current_actor().label})


class FailingApi(APIView):
    permission_classes: list = []
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        amount_won = serializers.IntegerField(min_value=0)
        memo = serializers.CharField()

    def post(self, request):
        kind = request.query_params.get("kind")
        if kind == "domain":
            raise DomainError("dispute_window_closed", _("이의신청 기간이 {deadline}에 끝났습니다."),
                              rule="BIL-10", field="invoice", deadline="2026-12-05")
        if kind == "conflict":
            raise Conflict("duplicate_invoice", "이미 발행된 청구서입니다.", rule="BIL-2")
        if kind == "django_validation":
            raise DjangoValidationError({"amount_won": ["음수일 수 없습니다."]})
        if kind == "404":
            raise Http404
        if kind == "403":
            raise DjangoPermissionDenied
        self.InputSerializer(data=request.data).is_valid(raise_exception=True)
        return Response({"ok": True})


@pytest.mark.django_db
def test_schema_is_an_openapi_document(client):
    """§11: an OpenAPI schema at /api/schema/."""
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "TermsOps API"
    assert isinstance(document["paths"], dict)
    assert "tokenAuth" in document["components"]["securitySchemes"]


@pytest.mark.django_db
def test_schema_generation_has_no_warnings():
    """§11: nested Input/OutputSerializers of different views don't collide in the schema."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)


def test_nested_serializers_are_named_after_their_view():
    """§11: FailingApi.InputSerializer becomes the component FailingApiInput (not a bare "Input")."""
    from core.api import AutoSchema

    schema = AutoSchema()
    assert schema.get_serializer_name(FailingApi.InputSerializer(), "request") == "FailingApiInputSerializer"

    class Local(serializers.Serializer):
        pass

    assert schema.get_serializer_name(Local(), "request") == "Local"


@pytest.mark.django_db
def test_docs_render_without_a_cdn(client):
    """§11: Swagger UI docs at /api/docs/, served from drf-spectacular-sidecar (nothing from the internet)."""
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn" not in html.lower()
    # The start-up script is a separate file (Content-Security-Policy allows no inline script; issue #14).
    assert '<script src="/api/docs/?script=">' in html
    assert "/api/schema/" in client.get("/api/docs/?script=").content.decode()


@pytest.mark.django_db
def test_unauthenticated_request_is_401_with_json_error():
    """§11: token auth first, so a missing credential is 401 with WWW-Authenticate and a JSON error code."""
    response = PingApi.as_view()(factory.get("/api/v1/ping/"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.data["error"]["code"] == "not_authenticated"
    assert response.data["error"]["message"]
    response.render()
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_bad_token_is_401_authentication_failed():
    """§11: a wrong token is 401 "authentication_failed"."""
    response = PingApi.as_view()(factory.get("/api/v1/ping/", HTTP_AUTHORIZATION="Token nope"))
    assert response.status_code == 401
    assert response.data["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_token_authenticates_and_audited_view_names_the_user():
    """§11: token auth for API clients; AuditedAPIView attributes changes to that user, then resets."""
    user = get_user_model().objects.create_user("api-client", password="x")
    token = Token.objects.create(user=user)
    response = PingApi.as_view()(factory.get("/", HTTP_AUTHORIZATION=f"Token {token.key}"))
    assert response.status_code == 200 and response.data["user"] == "api-client"
    response = WhoApi.as_view()(factory.get("/", HTTP_AUTHORIZATION=f"Token {token.key}"))
    assert response.data == {"actor": "user:api-client"}
    assert current_actor().label == "system"  # not leaked into the thread after the request


@pytest.mark.django_db
def test_domain_error_is_json_with_code_rule_field_and_both_languages():
    """§11: a domain refusal is a JSON body with its stable code, rule, field and messages."""
    with translation.override("ko"):
        response = FailingApi.as_view()(factory.post("/?kind=domain", {}, format="json"))
    assert response.status_code == 400
    error = response.data["error"]
    assert error["code"] == "dispute_window_closed"
    assert error["rule"] == "BIL-10"
    assert error["field"] == "invoice"
    assert error["message"] == "BIL-10: 이의신청 기간이 2026-12-05에 끝났습니다."
    assert error["message_ko"] == error["message"]
    assert "message_en" in error


@pytest.mark.django_db
def test_conflict_is_409():
    """§11: a Conflict refusal maps to 409."""
    response = FailingApi.as_view()(factory.post("/?kind=conflict", {}, format="json"))
    assert response.status_code == 409
    assert response.data["error"]["code"] == "duplicate_invoice"


@pytest.mark.django_db
def test_validation_error_lists_fields():
    """§11: invalid input is "validation_error" with the fields and the first field named."""
    response = FailingApi.as_view()(factory.post("/", {"amount_won": -1}, format="json"))
    assert response.status_code == 400
    error = response.data["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"amount_won", "memo"}
    assert error["field"] in {"amount_won", "memo"}
    assert error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("django_validation", 400, "validation_error"),
        ("404", 404, "not_found"),
        ("403", 403, "permission_denied"),
    ],
)
def test_django_exceptions_become_json_errors(kind, status, code):
    """§11: Django's own exceptions in API views get the same JSON error shape."""
    response = FailingApi.as_view()(factory.post(f"/?kind={kind}", {}, format="json"))
    assert response.status_code == status
    assert response.data["error"]["code"] == code
    if kind == "django_validation":
        assert response.data["error"]["fields"] == {"amount_won": ["음수일 수 없습니다."]}


@pytest.mark.django_db
def test_method_not_allowed_is_json():
    """§11: 405 also speaks JSON."""
    response = FailingApi.as_view()(factory.get("/"))
    assert response.status_code == 405
    assert response.data["error"]["code"] == "method_not_allowed"

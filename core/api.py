"""API plumbing shared by every app: one JSON error format, actor attribution."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults as django_defaults
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from . import clock
from .audit import actor_for_user, reset_actor, set_actor
from .errors import Conflict, DomainError
from .fields import BusinessDateField, MonthField, PeriodField, StrictInputSerializer, date_window
from .models import IdempotencyKey
from .schema_patterns import (
    PHONE_PATTERN,
    TEXT_OR_BLANK_PATTERN,
    TEXT_PATTERN,
    URL_PATTERN,
    date_range_pattern,
    month_range_pattern,
)

_DRF_CODES = {
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "permission_denied",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "request_too_large",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}

# The generic errors every API path may answer, in Korean (the msgid) and, through the catalogue, English.
GENERIC_MESSAGES = {
    "bad_request": gettext_lazy("잘못된 요청입니다."),
    "parse_error": gettext_lazy("요청 본문을 해석할 수 없습니다. 올바른 JSON을 보내 주세요."),
    "not_authenticated": gettext_lazy("인증 정보가 없습니다. 토큰을 보내 주세요."),
    "authentication_failed": gettext_lazy("인증 정보가 올바르지 않습니다."),
    "permission_denied": gettext_lazy("이 작업을 할 권한이 없습니다."),
    "not_found": gettext_lazy("요청한 주소나 대상을 찾을 수 없습니다."),
    "method_not_allowed": gettext_lazy("이 주소는 {method} 메서드를 허용하지 않습니다."),
    "not_acceptable": gettext_lazy("요청한 응답 형식을 제공할 수 없습니다. application/json을 받아 주세요."),
    "request_too_large": gettext_lazy("요청 본문이 너무 큽니다 (최대 {limit}바이트)."),
    "unsupported_media_type": gettext_lazy(
        "지원하지 않는 Content-Type입니다. application/json으로 보내 주세요."
    ),
    "throttled": gettext_lazy("요청이 너무 많습니다. 잠시 후 다시 시도해 주세요."),
    "server_error": gettext_lazy("서버 오류가 발생했습니다. 잠시 후 다시 시도해 주세요."),
}


def error_body(code: str, message: str, *, rule: str | None = None, field: str | None = None,
               fields: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message, "rule": rule, "field": field}}
    if fields:
        body["error"]["fields"] = fields
    body["error"].update(extra)
    return body


def generic_error_body(code: str, **params: Any) -> dict[str, Any]:
    """The error body of a generic failure (404, 405, 413, parse errors, 500…) in both languages."""
    error = DomainError(code, GENERIC_MESSAGES[code], **params)
    return error_body(code, error.message, message_ko=error.message_ko, message_en=error.message_en)


def _upload_limit() -> int:
    return int(getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", 0) or 0)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error is ``{"error": {"code", "message", "rule", "field", ...}}``."""
    if isinstance(exc, DomainError):
        set_rollback()  # as DRF does for its own errors: nothing half-written survives
        refused = Response(
            error_body(exc.code, exc.message, rule=exc.rule, field=exc.field,
                       message_ko=exc.message_ko, message_en=exc.message_en),
            status=exc.status_code,
        )
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            refused["WWW-Authenticate"] = 'Token realm="api"'
        return refused
    if isinstance(exc, RequestDataTooBig):
        return Response(generic_error_body("request_too_large", limit=_upload_limit()),
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        return Response(generic_error_body("bad_request"), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        first = next(iter(fields), None)
        error = DomainError("validation_error", gettext_lazy("입력값이 올바르지 않습니다."))
        # ``codes``: the broken bound per field (``won_out_of_range``, ``unknown_field``: core.fields).
        codes = exc.get_codes()
        response.data = error_body(
            "validation_error", error.message, field=first, fields=fields,
            message_ko=error.message_ko, message_en=error.message_en,
            codes=codes if isinstance(codes, dict) else {"non_field_errors": codes},
        )
        return response
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    code = str(getattr(detail, "code", None) or _DRF_CODES.get(response.status_code, "error"))
    default = getattr(type(exc), "default_detail", None)
    if code in GENERIC_MESSAGES and (default is None or str(detail) == str(default)
                                     or code in {"method_not_allowed", "throttled", "parse_error"}):
        request = context.get("request")
        response.data = generic_error_body(code, method=getattr(request, "method", "") or "")
    else:
        response.data = error_body(code, str(detail), message_ko=str(detail), message_en=str(detail))
    return response


def _api_path(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json_error(code: str, http_status: int, **params: Any) -> JsonResponse:
    return JsonResponse(generic_error_body(code, **params), status=http_status,
                        json_dumps_params={"ensure_ascii": False})


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's own 400 (a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, a bad Host…): JSON under /api/."""
    if not _api_path(request):
        return django_defaults.bad_request(request, exception)  # type: ignore[arg-type]
    if isinstance(exception, RequestDataTooBig):
        return _json_error("request_too_large", 413, limit=_upload_limit())
    return _json_error("bad_request", 400)


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _api_path(request):
        return django_defaults.permission_denied(request, exception)  # type: ignore[arg-type]
    return _json_error("permission_denied", 403)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """An unknown path under /api/ answers the JSON ``not_found`` error, not Django's HTML page."""
    if not _api_path(request):
        return django_defaults.page_not_found(request, exception)  # type: ignore[arg-type]
    return _json_error("not_found", 404)


def handler500(request: HttpRequest) -> HttpResponse:
    if not _api_path(request):
        return django_defaults.server_error(request)
    return _json_error("server_error", 500)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="안정적인 오류 코드 (stable machine-readable code)")
    message = serializers.CharField(help_text="요청 언어의 메시지")
    rule = serializers.CharField(allow_null=True, help_text="거부한 규칙 id (ACC-2 등) 또는 null")
    field = serializers.CharField(allow_null=True, help_text="문제가 된 입력 필드 또는 null")
    message_ko = serializers.CharField(required=False, help_text="한국어 메시지")
    message_en = serializers.CharField(required=False, help_text="English message")
    fields = serializers.DictField(  # type: ignore[assignment]  # the body's key, not Serializer.fields
        required=False, help_text="검증 오류: 필드별 메시지"
    )


class ErrorSerializer(serializers.Serializer):
    """Every API error: ``{"error": {...}}`` (docs/api.md)."""

    error = ErrorDetailSerializer()


ERROR_RESPONSE = OpenApiResponse(ErrorSerializer, description="오류 (error.code)")

# Documented on every operation (unless it documents the status itself): what any API path may answer.
GENERIC_ERROR_STATUSES = {
    "400": "입력 검증 실패(validation_error), 본문 해석 불가(parse_error) 또는 규칙 위반",
    "401": "인증 정보 없음 또는 잘못됨",
    "403": "권한 없음",
    "404": "없는 주소나 대상(다른 고객의 것 포함)",
    "405": "허용하지 않는 메서드",
    "406": "제공할 수 없는 응답 형식(Accept)",
    "413": "요청 본문이 너무 큼",
    "415": "지원하지 않는 Content-Type",
    "429": "요청이 너무 잦음(쓰기 제한) 또는 로그인 실패가 많아 잠시 잠김(login_locked)",
}


class AutoSchema(SpectacularAutoSchema):
    """OpenAPI components named after their view for nested serializers; every error documented.

    Every operation lists the generic error statuses (:data:`GENERIC_ERROR_STATUSES`) and every error
    response, also those a view declares with a description only, has the error body's schema.

    Views keep their own ``InputSerializer``/``OutputSerializer`` classes
    (ARCHITECTURE: one view per operation with its own serializers); by class
    name alone those collide in the schema (drf-spectacular W001), so a nested
    ``MemberListApi.InputSerializer`` becomes the component ``MemberListApiInput``.
    """

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        bodies: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        for code, description in GENERIC_ERROR_STATUSES.items():
            if code not in bodies:
                bodies[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code, direction=direction
                )
        for code, body in list(bodies.items()):
            schema = (body.get("content") or {}).get("application/json", {}).get("schema", {})
            if code.isdigit() and int(code) >= 400 and "$ref" not in schema:
                # described only (or a raw {"description": …} dict where a schema belongs): the error body
                described = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=body.get("description", "")), code,
                    direction=direction,
                )
                bodies[code] = {**described, **{k: v for k, v in body.items() if k != "content"}}
        return bodies

    def map_parsers(self) -> list[Any]:
        """JSON is the API's documented body format; a view that names its parsers (uploads) keeps them.

        DRF still parses forms on the other views (its defaults), but a client is told to send JSON,
        where a number, a list and ``null`` mean what they say."""
        if list(self.view.parser_classes) == list(api_settings.DEFAULT_PARSER_CLASSES):
            return ["application/json"]
        return list(super().map_parsers())

    def _get_request_for_media_type(self, serializer: Any, direction: Any = "request") -> Any:
        schema, required = super()._get_request_for_media_type(serializer, direction)
        if isinstance(serializer, PolymorphicProxySerializer):
            required = True  # one of the shapes must be sent
        return schema, required

    def _map_serializer(self, serializer: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        strict = isinstance(serializer, StrictInputSerializer)
        if direction == "request" and strict and "properties" in schema:
            schema["additionalProperties"] = False  # unknown keys are refused (``unknown_field``)
        return schema

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        """An input field's schema says what the server accepts: dates and months by a pattern of exactly
        the values inside the input bounds, text without NUL (and not blank where blank is refused),
        lists that may not be empty, and for URLs and phone numbers a pattern of values always accepted."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or not isinstance(schema, dict):
            return schema
        if isinstance(field, BusinessDateField):
            first, last = date_window()
            if field.not_after_today:
                last = clock.today()
            schema.pop("format", None)  # the pattern says it all (and keeps generators to real dates)
            schema["pattern"] = date_range_pattern(first, last)
        elif isinstance(field, PeriodField | MonthField):
            first, last = date_window()
            schema.pop("format", None)
            schema["pattern"] = month_range_pattern(first, last)
        elif isinstance(field, PhoneNumberField):
            schema["pattern"] = PHONE_PATTERN
        elif isinstance(field, serializers.URLField):
            schema.pop("format", None)
            schema["pattern"] = URL_PATTERN
        elif isinstance(field, serializers.CharField) and "format" not in schema and "pattern" not in schema:
            regex = next((str(getattr(v.regex, "pattern", v.regex)) for v in field.validators
                          if isinstance(v, RegexValidator) and not v.inverse_match), None)
            blank_refused = not field.allow_blank and field.trim_whitespace
            if regex:  # e.g. a slug
                schema["pattern"] = regex.replace("\\Z", "$")
            else:
                schema["pattern"] = TEXT_PATTERN if blank_refused else TEXT_OR_BLANK_PATTERN
        elif isinstance(field, serializers.FileField) and not field.allow_empty_file:
            schema["minLength"] = 1  # an empty file is refused
        elif isinstance(field, serializers.DictField):
            schema["propertyNames"] = {"pattern": TEXT_OR_BLANK_PATTERN}
        if schema.get("type") == "array" and getattr(field, "allow_empty", True) is False:
            schema["minItems"] = max(1, schema.get("minItems", 0))
        return schema

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        qualname = type(serializer).__qualname__
        if "." in qualname and "<locals>" not in qualname:
            return qualname.replace(".", "")
        return super().get_serializer_name(serializer, direction)


class AuditedAPIView(APIView):
    """Attributes changes to the authenticated API user (token auth resolves after middleware)."""

    _actor_token: Any = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self._actor_token = set_actor(actor_for_user(request.user))

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # Undo the attribution even without AuditActorMiddleware around the view.
        if self._actor_token is not None:
            reset_actor(self._actor_token)
            self._actor_token = None
        return super().finalize_response(request, response, *args, **kwargs)


class Pagination(PageNumberPagination):
    """Page-number pagination for every API list: ``page`` and ``page_size`` (at most 100)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class LongPagination(Pagination):
    """Lists that integrations page through in bulk (billing: invoices, payments, notes, disputes,
    refunds): 50 a page, ``page_size`` up to 200."""

    page_size = 50
    max_page_size = 200


def page_parameters(pagination: type[Pagination] = Pagination) -> list[OpenApiParameter]:
    """The OpenAPI ``page``/``page_size`` parameters of a list paginated by ``pagination``."""
    return [
        OpenApiParameter("page", int, description="페이지 번호"),
        OpenApiParameter("page_size", int, description=f"페이지 크기 (최대 {pagination.max_page_size})"),
    ]


def page_serializer(name: str, item: type[serializers.BaseSerializer]) -> type[serializers.Serializer]:
    """The schema of one page of ``item`` rows (``count``, ``next``, ``previous``, ``results``)."""
    return type(name, (serializers.Serializer,), {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
        "__module__": __name__,
    })


PAGE_PARAMETERS = page_parameters(Pagination)
LONG_PAGE_PARAMETERS = page_parameters(LongPagination)


IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_MAX_LENGTH = 80


def idempotency_key(request: Request, customer_id: int) -> str:
    """The request's ``Idempotency-Key`` header scoped to the customer (SPEC §11); refused when missing."""
    raw = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
    if not raw:
        raise DomainError(
            "idempotency_key_required",
            _("Idempotency-Key 헤더가 필요합니다 (같은 요청을 다시 보내도 한 번만 처리)."),
            field=IDEMPOTENCY_HEADER,
        )
    if len(raw) > IDEMPOTENCY_MAX_LENGTH:
        raise DomainError(
            "idempotency_key_too_long",
            _("Idempotency-Key는 {limit}자 이내여야 합니다."),
            field=IDEMPOTENCY_HEADER,
            limit=IDEMPOTENCY_MAX_LENGTH,
        )
    return f"api:{customer_id}:{raw}"


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_MAX_LENGTH, "pattern": "^[!-~]+$"},
    OpenApiParameter.HEADER, required=True,
    description=(
        "같은 키로 같은 요청을 다시 보내면 처음 응답을 돌려줍니다(`Idempotent-Replayed: true`). 키는 요청 "
        "전체(메서드, 경로, 본문, 고객)에 묶이며 다른 요청에 쓰면 409, 처리 중에 다시 보내면 409입니다. "
        "키는 24시간 뒤 만료됩니다."
    ),
)
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"


def request_fingerprint(request: Request, scope: int) -> str:
    """SHA-256 of the whole request as Stripe binds a key to it: method, path with query, the parsed
    body (key order and whitespace do not matter) and the acting customer."""
    data = request.data
    if hasattr(data, "lists"):
        data = {key: values for key, values in data.lists()}
    canonical = json.dumps(
        [request.method, request.get_full_path(), scope, data],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key_conflict(code: str, message: Any) -> Conflict:
    return Conflict(code, message, field=IDEMPOTENCY_HEADER)


def idempotency_begin(key: str, fingerprint: str, *, method: str, path: str) -> IdempotencyKey:
    """Take ``key`` for this request, or raise: a stored response to replay (:class:`Replay`), another
    request under the key (409 ``idempotency_key_reused``), the same request still running (409
    ``idempotency_request_in_progress``). The row is committed at once (outside any transaction),
    so a concurrent request sees it; an expired key (24 h) is taken over as new."""
    now = clock.now()
    fields = {"fingerprint": fingerprint, "method": method, "path": path[:500], "created_at": now,
              "expires_at": now + IDEMPOTENCY_TTL, "state": IdempotencyKey.State.IN_FLIGHT,
              "status_code": None, "response_body": None}
    # Stored bodies may hold personal data (recipients, payer names): none outlives its key's 24 hours.
    IdempotencyKey.objects.filter(expires_at__lte=now).delete()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(key=key, **fields)
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(key=key).first()
        if existing is None:
            continue  # it expired and was taken over and released meanwhile: try again
        if existing.expires_at <= now:
            if IdempotencyKey.objects.filter(pk=existing.pk, expires_at=existing.expires_at).update(**fields):
                return IdempotencyKey.objects.get(pk=existing.pk)
            continue
        if existing.fingerprint != fingerprint:
            raise _key_conflict(
                "idempotency_key_reused", _("이 Idempotency-Key는 다른 내용의 요청에 이미 쓰였습니다."),
            )
        if existing.state == IdempotencyKey.State.IN_FLIGHT:
            raise _key_conflict(
                "idempotency_request_in_progress",
                _("같은 Idempotency-Key의 요청을 아직 처리하고 있습니다. 잠시 후 다시 보내 주세요."),
            )
        raise Replay(existing)
    raise _key_conflict(
        "idempotency_request_in_progress",
        _("같은 Idempotency-Key의 요청을 아직 처리하고 있습니다. 잠시 후 다시 보내 주세요."),
    )


class Replay(Exception):
    """The key's stored response is to be replayed (control flow inside :func:`idempotent`)."""

    def __init__(self, record: IdempotencyKey) -> None:
        super().__init__(record.key)
        self.record = record


ViewMethod = Callable[..., Response]


def idempotent(scope: Callable[[Request], Any]) -> Callable[[ViewMethod], ViewMethod]:
    """Make a view method (a POST that moves money or sends) idempotent as Stripe defines it.

    ``scope(request)`` is the acting customer (or its pk). The response of the first request is stored
    and replayed with ``Idempotent-Replayed: true``; a refusal (an exception: validation, a business
    rule) releases the key, so the corrected request may use it again; a 5xx is not stored either.
    """

    def decorate(method: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(method)
        def view(self: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
            owner = scope(request)
            owner_pk = int(getattr(owner, "pk", owner))
            key = idempotency_key(request, owner_pk)
            try:
                record = idempotency_begin(
                    key, request_fingerprint(request, owner_pk), method=request.method or "",
                    path=request.path,
                )
            except Replay as replay:
                response = Response(replay.record.response_body, status=replay.record.status_code)
                response[REPLAYED_HEADER] = "true"
                return response
            try:
                response = method(self, request, *args, **kwargs)
            except BaseException:
                IdempotencyKey.objects.filter(pk=record.pk).delete()
                raise
            if response.status_code >= 500:
                IdempotencyKey.objects.filter(pk=record.pk).delete()
            else:
                IdempotencyKey.objects.filter(pk=record.pk).update(
                    state=IdempotencyKey.State.DONE, status_code=response.status_code,
                    response_body=response.data,
                )
            return response

        return view

    return decorate


def paginate(view: APIView, request: Request, rows: Any, serializer: Any,
             pagination: type[PageNumberPagination] = Pagination) -> Response:
    """One page of ``rows`` serialized with ``serializer`` in the paginated envelope."""
    paginator = pagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)

"""Contracts and terms API routes; included at /api/v1/ by config/api_urls.py."""

from django.urls import path

from . import terms_documents, views

urlpatterns = [
    path("plans/", views.PlanListApi.as_view(), name="api-plans"),
    path("contracts/", views.ContractListCreateApi.as_view(), name="api-contracts"),
    path("contracts/<int:contract_id>/", views.ContractDetailApi.as_view(), name="api-contract-detail"),
    path(
        "contracts/<int:contract_id>/documents/",
        views.ContractDocumentUploadApi.as_view(),
        name="api-contract-documents",
    ),
    path(
        "contracts/<int:contract_id>/postpone/",
        views.ContractPostponeApi.as_view(),
        name="api-contract-postpone",
    ),
    path(
        "contracts/<int:contract_id>/withdraw/",
        views.ContractWithdrawApi.as_view(),
        name="api-contract-withdraw",
    ),
    path(
        "contracts/<int:contract_id>/termination-preview/",
        views.ContractTerminationPreviewApi.as_view(),
        name="api-contract-termination-preview",
    ),
    path(
        "contracts/<int:contract_id>/terminate/",
        views.ContractTerminateApi.as_view(),
        name="api-contract-terminate",
    ),
    path(
        "contracts/<int:contract_id>/stop-renewal/",
        views.ContractStopRenewalApi.as_view(),
        name="api-contract-stop-renewal",
    ),
    path("terms/pending/", views.PendingTermsApi.as_view(), name="api-terms-pending"),
    path("terms/versions/", terms_documents.TermsVersionListApi.as_view(), name="api-terms-versions"),
    path(
        "terms/versions/<int:policy_id>/",
        terms_documents.TermsVersionDetailApi.as_view(),
        name="api-terms-version-detail",
    ),
    path("terms/compare/", terms_documents.TermsComparisonApi.as_view(), name="api-terms-compare"),
    path("terms/<int:policy_id>/consent/", views.TermsConsentApi.as_view(), name="api-terms-consent"),
    path("entitlement/", views.EntitlementApi.as_view(), name="api-entitlement"),
]

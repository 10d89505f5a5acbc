"""Contracts portal pages; included at "contracts/" under the "portal" namespace (config/portal_urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.contract_list, name="contracts"),
    path("apply/", views.contract_apply, name="contract_apply"),
    path("terms/", views.terms_pending, name="contract_terms"),
    path("terms/<int:policy_id>/consent/", views.terms_consent, name="contract_terms_consent"),
    path("terms/<int:policy_id>/", views.terms_document, name="contract_terms_document"),
    path(
        "terms/<int:policy_id>/comparison.pdf",
        views.terms_comparison_pdf,
        name="contract_terms_comparison_pdf",
    ),
    path(
        "terms/<int:policy_id>/refusal-termination/<int:pk>/",
        views.terms_refusal_termination,
        name="contract_terms_refusal_termination",
    ),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    path("<int:pk>/documents/", views.document_upload, name="contract_document_upload"),
    path("<int:pk>/postpone/", views.activation_postpone, name="contract_postpone"),
    path("<int:pk>/withdraw/", views.contract_withdraw, name="contract_withdraw"),
    path("<int:pk>/terminate/", views.contract_terminate, name="contract_terminate"),
    path("<int:pk>/stop-renewal/", views.renewal_stop, name="contract_stop_renewal"),
    path(
        "<int:pk>/suspensions/<int:suspension_pk>/appeal/",
        views.suspension_appeal,
        name="contract_suspension_appeal",
    ),
]

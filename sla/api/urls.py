"""SLA API routes; included at /api/v1/sla/ by config/api_urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("incidents/", views.IncidentListReportApi.as_view(), name="api-sla-incidents"),
    path("incidents/<int:incident_id>/", views.IncidentDetailApi.as_view(), name="api-sla-incident-detail"),
    path(
        "contracts/<int:contract_id>/availability/",
        views.AvailabilityApi.as_view(),
        name="api-sla-availability",
    ),
    path(
        "contracts/<int:contract_id>/claim-prefill/",
        views.ClaimPrefillApi.as_view(),
        name="api-sla-claim-prefill",
    ),
    path("claims/", views.ClaimListSubmitApi.as_view(), name="api-sla-claims"),
    path("feed/", views.FeedPointApi.as_view(), name="api-sla-feed"),
]

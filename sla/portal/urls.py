"""SLA portal pages; included at "sla/" under the "portal" namespace (config/portal_urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.sla_home, name="sla_home"),
    path("incidents/report/", views.incident_report_view, name="sla_incident_report"),
    path("incidents/<int:pk>/", views.incident_detail, name="sla_incident"),
    path("contracts/<int:pk>/availability/", views.availability, name="sla_availability"),
    path("contracts/<int:pk>/claim/", views.claim, name="sla_claim"),
    path("contracts/<int:pk>/terminate/", views.no_penalty_terminate, name="sla_terminate"),
]

"""The public status page (SLA-8); included at "status/" by config/urls.py (no login)."""

from django.urls import path

from . import status

urlpatterns = [
    path("", status.status_index, name="status"),
    path("<slug:service>/", status.status_service, name="status_service"),
]

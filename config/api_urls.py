"""/api/v1/: each app contributes its routes here."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("messaging.api.urls")),
    path("", include("contracts.api.urls")),
    path("", include("billing.api.urls")),
    path("sla/", include("sla.api.urls")),
    path("privacy/", include("privacy.api.urls")),
]

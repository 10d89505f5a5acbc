"""The customer portal: each app contributes its pages here (namespace "portal")."""

from django.urls import include, path

app_name = "portal"
urlpatterns = [
    path("", include("accounts.portal.urls")),
    path("inbox/", include("messaging.portal.urls")),
    path("messages/", include("messaging.portal.paid_urls")),
    path("contracts/", include("contracts.portal.urls")),
    path("billing/", include("billing.portal.urls")),
    path("sla/", include("sla.portal.urls")),
    path("privacy/", include("privacy.portal.urls")),
]

"""Privacy portal pages; included at "privacy/" under the "portal" namespace (config/portal_urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.privacy_home, name="privacy_home"),
    path("policy/", views.privacy_policy, name="privacy_policy"),
    path("exports/", views.export_create, name="privacy_export"),
    path("exports/<int:pk>/download/", views.export_download, name="privacy_export_download"),
    path("delete/", views.deletion, name="privacy_delete"),
]

"""Privacy API routes; included at /api/v1/privacy/ by config/api_urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("exports/", views.ExportListCreateApi.as_view(), name="api-privacy-exports"),
    path("exports/<int:export_id>/", views.ExportDetailApi.as_view(), name="api-privacy-export-detail"),
    path(
        "exports/<int:export_id>/download/",
        views.ExportDownloadApi.as_view(),
        name="api-privacy-export-download",
    ),
]

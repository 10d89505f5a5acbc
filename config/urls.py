from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.media import private_media
from config.metrics import metrics
from core.views import healthz, readyz

admin.site.site_header = _("텀즈옵스 운영 관리")
admin.site.site_title = _("텀즈옵스 관리")
admin.site.index_title = _("백오피스")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("status/", include("sla.portal.status_urls")),
    # Probes for load balancers and monitors (core.health): liveness and readiness.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/setlang/", set_language, name="set_language"),
    # Uploads only through a view that checks who asks (never a static /media/ route).
    path("media/<path:name>", private_media, name="private-media"),
    path("", include("config.portal_urls")),
]
# Under /api/ Django's own errors (unknown path, oversized body, crash) answer the API's JSON error.
handler400 = "core.api.handler400"
handler403 = "core.api.handler403"
handler404 = "core.api.handler404"
handler500 = "core.api.handler500"

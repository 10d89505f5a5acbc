"""config.urls plus the billing API and portal includes, until the lead wires them into config/.

Once ``config/api_urls.py`` has ``path("", include("billing.api.urls"))`` and
``config/portal_urls.py`` has ``path("billing/", include("billing.portal.urls"))`` this module can
simply be ``from config.urls import urlpatterns``.
"""

from django.urls import URLPattern, URLResolver, include, path

import config.api_urls
import config.portal_urls
import config.urls


def _has(patterns: list, module: str) -> bool:  # type: ignore[type-arg]
    return any(
        getattr(p, "urlconf_name", None) is not None
        and getattr(p.urlconf_name, "__name__", p.urlconf_name) == module
        for p in patterns
    )


_api = list(config.api_urls.urlpatterns)
if not _has(_api, "billing.api.urls"):
    _api.append(path("", include("billing.api.urls")))
_portal = list(config.portal_urls.urlpatterns)
if not _has(_portal, "billing.portal.urls"):
    _portal.append(path("billing/", include("billing.portal.urls")))

urlpatterns: list[URLPattern | URLResolver] = []
for entry in config.urls.urlpatterns:
    route = str(entry.pattern)
    if isinstance(entry, URLResolver) and route == "api/v1/":
        urlpatterns.append(path("api/v1/", include(_api)))
    elif isinstance(entry, URLResolver) and route == "" and entry.namespace == "portal":
        urlpatterns.append(path("", include((_portal, "portal"), namespace="portal")))
    else:
        urlpatterns.append(entry)

"""The project's URLs (the billing API and portal are wired in config/)."""

from config.urls import urlpatterns

__all__ = ["urlpatterns"]

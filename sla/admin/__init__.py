"""SLA back office: incidents with their timeline, maintenance windows, the access-failure feed,
monthly availability with its breakdown, and the claims queue. Thin: every write calls a service."""

from . import credits, incidents  # noqa: F401  (registers the admin classes)

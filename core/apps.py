from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("공통")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (connects the history actor hook)
        from .admin_dates import install

        install()  # the admin's date drill-down refuses impossible years (issue #14)
        from . import admin_display

        admin_display.install()  # amounts, quantities and actors read as words on every admin page (issue 15)
        from .observability import connect_celery_signals

        connect_celery_signals()  # the request id travels into the tasks a request sends

from django.http import HttpRequest

from . import clock as _clock


def clock(request: HttpRequest) -> dict[str, object]:
    return {"clock_today": _clock.today(), "clock_overridden": _clock.is_overridden()}

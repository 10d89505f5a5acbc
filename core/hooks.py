"""Explicit wiring between layers: a named slot a lower app declares and a higher app fills at start-up.

A lower app (``contracts``) sometimes needs a fact only a higher one (``billing``) can compute: the
unpaid fees of a customer (CON-2, CON-7), the final settlement shown before termination (CON-7). It may
not import the higher app, so it declares a :class:`Hook`; the higher app's ``AppConfig.ready`` installs
its function. A hook that nobody installed is a configuration error, never a silent default:

* calling it raises :class:`HookNotInstalled` (an ``ImproperlyConfigured``) naming the hook and the app
  that should install it;
* ``manage.py check`` (and every ``runserver``/``migrate``) reports it through :func:`check_hooks`,
  a Django system check (``core.E001``).

Tests swap an implementation with :meth:`Hook.install` (or the ``replaced`` context manager);
``tests/conftest.py`` puts the start-up wiring back after each test with :func:`snapshot`/:func:`restore`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

F = TypeVar("F", bound=Callable[..., Any])


class HookNotInstalled(ImproperlyConfigured):
    """A declared hook was used before (or without) the app that provides it installing it."""

    def __init__(self, hook: Hook[Any]) -> None:
        self.hook = hook
        super().__init__(
            f"hook {hook.name!r} is not installed: {hook.provider!r} installs it in its AppConfig.ready() "
            f"({hook.purpose}). Is {hook.provider!r} in INSTALLED_APPS?"
        )


_declared: dict[str, Hook[Any]] = {}


class Hook(Generic[F]):
    """One named slot for one function. Declared once at module level by the app that calls it."""

    def __init__(self, name: str, *, provider: str, purpose: str) -> None:
        if name in _declared:
            raise ImproperlyConfigured(f"hook {name!r} is declared twice")
        self.name = name
        self.provider = provider
        self.purpose = purpose
        self._fn: F | None = None
        _declared[name] = self

    def __repr__(self) -> str:
        return f"<Hook {self.name} ({'installed' if self.installed else 'missing'})>"

    def install(self, fn: F | None) -> None:
        """Install ``fn`` (``None`` removes the implementation: the next use raises)."""
        self._fn = fn

    @property
    def installed(self) -> bool:
        return self._fn is not None

    @property
    def current(self) -> F | None:
        return self._fn

    def get(self) -> F:
        if self._fn is None:
            raise HookNotInstalled(self)
        return self._fn

    @contextmanager
    def replaced(self, fn: F | None) -> Iterator[None]:
        previous = self._fn
        self._fn = fn
        try:
            yield
        finally:
            self._fn = previous


def declared() -> list[Hook[Any]]:
    return list(_declared.values())


def snapshot() -> dict[str, Any]:
    """The installed implementation of every hook (for tests to put back)."""
    return {name: hook.current for name, hook in _declared.items()}


def restore(state: dict[str, Any]) -> None:
    for name, fn in state.items():
        _declared[name].install(fn)


def check_hooks(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Django system check: every declared hook has an implementation once the apps are ready."""
    return [
        checks.Error(
            f"hook {hook.name!r} is not installed",
            hint=f"{hook.provider!r} installs it in its AppConfig.ready() ({hook.purpose}).",
            obj=hook.name,
            id="core.E001",
        )
        for hook in _declared.values()
        if not hook.installed
    ]

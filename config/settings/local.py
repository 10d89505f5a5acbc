"""Local / demo settings: embedded SQLite, jobs in-process, no servers needed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

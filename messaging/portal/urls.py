"""Included by config/portal_urls.py at "inbox/" in the "portal" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.inbox_detail, name="inbox_detail"),
    path("broadcasts/<int:pk>/", views.broadcast_detail, name="inbox_broadcast"),
    path("settings/", views.notice_settings, name="notice_settings"),
]

"""Included by config/api_urls.py under /api/v1/."""

from django.urls import path

from . import views

urlpatterns = [
    path("notices/", views.NoticeInboxApi.as_view(), name="notices-inbox"),
    path("notices/unread-count/", views.NoticeUnreadCountApi.as_view(), name="notices-unread-count"),
    path("notices/<int:pk>/read/", views.NoticeReadApi.as_view(), name="notices-read"),
    path("broadcasts/<int:pk>/read/", views.BroadcastReadApi.as_view(), name="broadcasts-read"),
]

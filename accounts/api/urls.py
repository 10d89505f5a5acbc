"""Accounts API routes; included at /api/v1/ by config/api_urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenObtainApi.as_view(), name="api-auth-token"),
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("members/", views.MemberListCreateApi.as_view(), name="api-members"),
    path("members/<int:member_id>/", views.MemberDetailApi.as_view(), name="api-member-detail"),
]

"""Accounts API routes; included at /api/v1/ by config/api_urls.py."""

from django.urls import path

from . import requests, views

urlpatterns = [
    path("auth/token/", views.TokenObtainApi.as_view(), name="api-auth-token"),
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("members/", views.MemberListCreateApi.as_view(), name="api-members"),
    path("members/<int:member_id>/", views.MemberDetailApi.as_view(), name="api-member-detail"),
    path("auth/reactivate/", requests.ReactivateApi.as_view(), name="api-auth-reactivate"),
    path("customer/change-requests/", requests.ChangeRequestListCreateApi.as_view(),
         name="api-change-requests"),
    path("customer/change-requests/<int:request_id>/", requests.ChangeRequestDetailApi.as_view(),
         name="api-change-request-detail"),
    path("customer/successions/", requests.SuccessionListCreateApi.as_view(), name="api-successions"),
    path("customer/successions/<int:succession_id>/", requests.SuccessionDetailApi.as_view(),
         name="api-succession-detail"),
]

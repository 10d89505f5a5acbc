"""Portal pages of the accounts app; included at "" under the "portal" namespace (config/portal_urls.py)."""

from django.urls import path

from . import dashboard, requests, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", views.PortalLogoutView.as_view(), name="logout"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/role/", views.member_role, name="member_role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("profile/", views.profile, name="profile"),
    path("support/", views.support, name="support"),
    path("reactivate/", requests.reactivate, name="reactivate"),
    path("customer/changes/", requests.change_requests, name="change_requests"),
    path("customer/changes/<int:pk>/", requests.change_request_detail, name="change_request_detail"),
    path("customer/changes/<int:pk>/document/", requests.change_request_document,
         name="change_request_document"),
    path("customer/succession/", requests.successions, name="successions"),
    path("customer/succession/<int:pk>/", requests.succession_detail, name="succession_detail"),
]

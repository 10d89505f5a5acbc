"""The customer portal: each app contributes its pages here (namespace "portal")."""

from django.urls import path

app_name = "portal"
urlpatterns: list = []

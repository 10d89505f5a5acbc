"""/api/v1/: each app contributes its routes here."""

from django.urls import path

urlpatterns: list = []

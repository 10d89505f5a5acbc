"""Included by config/portal_urls.py at "messages/" in the "portal" namespace (paid messaging, MSG-2..7)."""

from django.urls import path

from . import paid_views

urlpatterns = [
    path("", paid_views.history, name="messages"),
    path("<int:pk>/", paid_views.message_detail, name="message_detail"),
    path("send/", paid_views.send, name="message_send"),
    path("bulk/", paid_views.bulk, name="message_bulk"),
    path("bulk/<int:pk>/", paid_views.bulk_progress, name="message_bulk_progress"),
    path("bulk/<int:pk>/progress.json", paid_views.bulk_progress_json, name="message_bulk_progress_json"),
    path("senders/", paid_views.sender_numbers, name="message_senders"),
    path("templates/", paid_views.templates, name="message_templates"),
    path("templates/<int:pk>/", paid_views.template_edit, name="message_template_edit"),
    path("opt-outs/", paid_views.opt_outs, name="message_opt_outs"),
    path("opt-outs/<str:number>/remove/", paid_views.opt_out_remove, name="message_opt_out_remove"),
]

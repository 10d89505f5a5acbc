"""Included by config/api_urls.py under /api/v1/."""

from django.urls import path

from . import paid_views, views, webhooks

urlpatterns = [
    path("notices/", views.NoticeInboxApi.as_view(), name="notices-inbox"),
    path("notices/unread-count/", views.NoticeUnreadCountApi.as_view(), name="notices-unread-count"),
    path("notices/<int:pk>/read/", views.NoticeReadApi.as_view(), name="notices-read"),
    path("broadcasts/<int:pk>/read/", views.BroadcastReadApi.as_view(), name="broadcasts-read"),
    # the paid product (MSG-2..7)
    path("messages/", paid_views.MessageListSendApi.as_view(), name="api-messages"),
    path("messages/<int:pk>/", paid_views.MessageDetailApi.as_view(), name="api-message-detail"),
    path("messages/bulk/", paid_views.BulkSendApi.as_view(), name="api-messages-bulk"),
    path("messages/bulk/<int:pk>/", paid_views.BulkProgressApi.as_view(), name="api-messages-bulk-progress"),
    path(
        "messages/sender-numbers/", paid_views.SenderNumberListCreateApi.as_view(), name="api-sender-numbers"
    ),
    path("messages/templates/", paid_views.KakaoTemplateListCreateApi.as_view(), name="api-kakao-templates"),
    path(
        "messages/templates/<int:pk>/",
        paid_views.KakaoTemplateDetailApi.as_view(),
        name="api-kakao-template-detail",
    ),
    path("messages/opt-outs/", paid_views.OptOutListCreateApi.as_view(), name="api-opt-outs"),
    path("messages/opt-outs/<str:number>/", paid_views.OptOutDeleteApi.as_view(), name="api-opt-out-delete"),
    # delivery reports pushed by the messaging vendor (issue 18)
    path("webhooks/solapi/", webhooks.SolapiWebhookView.as_view(), name="webhook-solapi"),
]

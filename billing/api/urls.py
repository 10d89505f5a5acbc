"""Billing API routes; included at /api/v1/ by config/api_urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("invoices/", views.InvoiceListApi.as_view(), name="api-invoices"),
    path("invoices/preview/", views.InvoicePreviewApi.as_view(), name="api-invoice-preview"),
    path("invoices/<int:pk>/", views.InvoiceDetailApi.as_view(), name="api-invoice-detail"),
    path("invoices/<int:pk>/pdf/", views.InvoicePdfApi.as_view(), name="api-invoice-pdf"),
    path("payments/", views.PaymentListCreateApi.as_view(), name="api-payments"),
    path("credit-notes/", views.CreditNoteListApi.as_view(), name="api-credit-notes"),
    path("credit-balance/", views.CreditBalanceApi.as_view(), name="api-credit-balance"),
    path("tax-invoices/<int:invoice_id>/", views.TaxInvoiceApi.as_view(), name="api-tax-invoice"),
]
from .after_due import urlpatterns as after_due_urlpatterns  # noqa: E402  (disputes, refunds, dunning)

urlpatterns += after_due_urlpatterns

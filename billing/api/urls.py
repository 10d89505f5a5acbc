"""Billing API routes; included at /api/v1/ by config/api_urls.py. One module per domain."""

from django.urls import path

from . import credit, disputes, dunning, invoices, payments, refunds, webhooks

urlpatterns = [
    path("invoices/", invoices.InvoiceListApi.as_view(), name="api-invoices"),
    path("invoices/preview/", invoices.InvoicePreviewApi.as_view(), name="api-invoice-preview"),
    path("invoices/<int:pk>/", invoices.InvoiceDetailApi.as_view(), name="api-invoice-detail"),
    path("invoices/<int:pk>/pdf/", invoices.InvoicePdfApi.as_view(), name="api-invoice-pdf"),
    path("payments/", payments.PaymentListCreateApi.as_view(), name="api-payments"),
    path("credit-notes/", credit.CreditNoteListApi.as_view(), name="api-credit-notes"),
    path("credit-balance/", credit.CreditBalanceApi.as_view(), name="api-credit-balance"),
    path("tax-invoices/<int:invoice_id>/", invoices.TaxInvoiceApi.as_view(), name="api-tax-invoice"),
    path("disputes/", disputes.DisputeListCreateApi.as_view(), name="api-disputes"),
    path("disputes/<int:pk>/", disputes.DisputeDetailApi.as_view(), name="api-dispute-detail"),
    path("refunds/", refunds.RefundListCreateApi.as_view(), name="api-refunds"),
    path("dunning/", dunning.DunningListApi.as_view(), name="api-dunning"),
    path("webhooks/portone/", webhooks.PortOneWebhookApi.as_view(), name="api-webhook-portone"),
]

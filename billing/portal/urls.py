"""Billing portal pages; included at "billing/" under the "portal" namespace (config/portal_urls.py)."""

from django.urls import path

from . import card_registration, disputes, dunning, pay, refunds, views

urlpatterns = [
    path("", views.invoice_list, name="invoices"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/pay/", pay.invoice_pay, name="invoice_pay"),
    path("invoices/<int:pk>/transfer-notice/", pay.invoice_transfer_notice, name="invoice_transfer_notice"),
    path("payments/", views.payment_list, name="payments"),
    path("payment-methods/", views.payment_methods, name="payment_methods"),
    path("payment-methods/add/", views.payment_method_add_view, name="payment_method_add"),
    path("payment-methods/<int:pk>/default/", views.payment_method_default, name="payment_method_default"),
    path("payment-methods/<int:pk>/remove/", views.payment_method_remove_view, name="payment_method_remove"),
    path(
        "payment-methods/card/",
        card_registration.payment_method_card_register,
        name="payment_method_card_register",
    ),
    path("disputes/", disputes.dispute_list, name="disputes"),
    path("disputes/file/", disputes.dispute_file_view, name="dispute_file"),
    path("refunds/", refunds.refund_list, name="refunds"),
    path("refunds/request/", refunds.refund_request_view, name="refund_request"),
    path("overdue/", dunning.dunning_status, name="dunning_status"),
]

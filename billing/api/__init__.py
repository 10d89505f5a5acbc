"""Billing REST API (SPEC §11): invoices, PDFs, preview, payments, credit notes, credit balance and
tax invoices."""

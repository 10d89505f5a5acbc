"""Billing REST API (SPEC §11), one module per domain: invoices (PDFs, preview, tax invoices), payments,
credit (notes and balance), disputes, refunds and dunning; shared bits in ``common``."""

"""Customer portal pages for billing (SPEC §11): invoices, PDFs, payments, credit and payment methods
(``views``), disputes, refunds and the dunning status (one module each)."""

"""Customer portal pages for billing (SPEC §11): invoices, PDFs, payments, credit, payment methods."""

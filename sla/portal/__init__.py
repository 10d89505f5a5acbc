"""SLA customer portal pages and the public status page (SLA-1, 3, 5, 7, 8)."""

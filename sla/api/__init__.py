"""SLA API under /api/v1/sla/ (SLA-1, SLA-3, SLA-5)."""

"""Data lifecycle services (SPEC §9): retention calendar, purge, export, deletion on request."""

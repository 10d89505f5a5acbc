"""Contracts app models, one module per group: policy (Policy, Plan), contract (contracts and lifecycle)."""

"""API viewsets of targets and results: one module per area."""

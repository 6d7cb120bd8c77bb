"""REST API of the handover: /api/handovers/ and its plan."""

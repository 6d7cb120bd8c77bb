"""Browser pages of the sales domain, one module per area (customers, deals, imports)."""

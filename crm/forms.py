"""Forms for the sales domain's pages."""

"""Browser pages of targets and results: one module per area, each with its own urlpatterns."""

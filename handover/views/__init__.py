"""Browser pages of the handover: one module per area, each with its own urlpatterns."""

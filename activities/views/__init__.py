"""Browser pages of the activity domain: one module per area, each with its own urlpatterns."""

"""Browser pages of coaching: one module per area, each with its own urlpatterns."""

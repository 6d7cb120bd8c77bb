"""Pages for customers."""

urlpatterns: list = []

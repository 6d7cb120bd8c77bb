"""Pages for imports."""

urlpatterns: list = []

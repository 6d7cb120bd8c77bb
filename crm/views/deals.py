"""Pages for deals."""

urlpatterns: list = []

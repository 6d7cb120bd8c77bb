import pytest
from django.utils import timezone, translation


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """The test client runs requests in this thread, and LocaleMiddleware leaves the
    request's language active: put English back so later tests see the source texts."""
    yield
    translation.activate("en")
    timezone.deactivate()

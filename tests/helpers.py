"""Small helpers the specifications share."""

import csv
import io
from datetime import date


def body_text(response) -> str:
    """The response body as text, whether rendered at once or streamed (CSV exports)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def csv_dicts(response) -> list[dict]:
    """A CSV download's rows, keyed by its header."""
    return list(csv.DictReader(io.StringIO(body_text(response))))


def quota_grid_post(year=2026, **cells):
    """A posted grid as the browser sends it: every cell, blank unless given."""
    from reports.forms import QUOTA_FIELD_LABELS, quota_field_name

    periods = [("month", date(year, m, 1)) for m in range(1, 13)]
    periods += [("quarter", date(year, m, 1)) for m in (1, 4, 7, 10)] + [("year", date(year, 1, 1))]
    data = {
        quota_field_name(period, start, name): ""
        for period, start in periods
        for name in QUOTA_FIELD_LABELS
    }
    return {**data, "year": str(year), **cells}

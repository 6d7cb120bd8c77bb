"""Small helpers the specifications share."""

import csv
import io


def body_text(response) -> str:
    """The response body as text, whether rendered at once or streamed (CSV exports)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def csv_dicts(response) -> list[dict]:
    """A CSV download's rows, keyed by its header."""
    return list(csv.DictReader(io.StringIO(body_text(response))))

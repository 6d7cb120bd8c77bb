"""Ids typed into URLs and forms."""


def parse_id(raw) -> int | None:
    """The id a query or form value names, or None. ASCII digits only: "²" and "١" are
    digits to str.isdigit() but not to int(), and a 19-digit number is no database id."""
    raw = str(raw if raw is not None else "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw)
    return None

"""Name search for customers and deals: the customer list and its API and export, the deal
list, the pipeline board, the customer picker and the handover plan all match the same way.

A term of three characters or more matches anywhere in the name ("mach" finds "Becker
Machining"); a shorter one matches the start of the name ("ab" finds "ABB Ltd", not every
name with "ab" somewhere inside). On PostgreSQL both are served by a trigram index on
UPPER(name) (migration crm/0007): one or two letters have no trigram of their own inside a
word, so a substring that short could only be found by reading every row (~350 ms for a
manager's board over 300,000 deals), and it would match a twentieth of all names anyway."""

from collections.abc import Sequence

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MIN_SUBSTRING_LENGTH = 3
SEARCH_HELP = _("Three letters or more match anywhere in the name; fewer match its start.")


def name_search_q(*, term: str, fields: Sequence[str]) -> Q:
    """Rows where any of `fields` matches `term` (case-insensitive), as described above.
    An empty term matches everything; a term with a NUL character nothing (no stored text
    holds one, and PostgreSQL refuses it as a query parameter)."""
    term = term.strip()
    if not term:
        return Q()
    if "\x00" in term:
        return Q(pk__in=[])
    lookup = "icontains" if len(term) >= MIN_SUBSTRING_LENGTH else "istartswith"
    match = Q()
    for field in fields:
        match |= Q(**{f"{field}__{lookup}": term})
    return match

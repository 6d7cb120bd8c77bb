"""The accounts app's own pages; each module declares its routes (see accounts/urls.py)."""

"""Number and date formats per language (FORMAT_MODULE_PATH, issue 14). Each module only
overrides what differs from Django's own locale formats: grouped thousands with a dot and a
decimal comma in id, nl and nb (1.234,50; Django's nb groups with a space), 1,234.50 in en,
and weeks that start on Monday everywhere."""

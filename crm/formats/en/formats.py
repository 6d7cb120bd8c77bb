# English (the source language): 1,234.50; short dates as Django's en (12/07/2026); weeks
# start on Monday, like the ISO weeks every report uses.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1

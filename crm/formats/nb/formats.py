# Norsk bokmål: 1.234,50 (Django's own nb groups with a space; the teams write a dot, as
# the issue asks); dates 07.12.2026; weeks start on Monday.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"

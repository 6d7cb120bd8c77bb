# Bahasa Indonesia: 1.234,50; dates 07/12/2026 (as Indonesian spreadsheets and forms write
# them); weeks start on Monday.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
DATE_FORMAT = "j N Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H.i"

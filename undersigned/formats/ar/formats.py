# Django's Arabic formats do not group digits; long counts read better grouped.
THOUSAND_SEPARATOR = "٬"
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "٫"

# Django's Arabic date ("j F، Y") has a comma an Arabic date does not take, and it has no
# date-and-time formats, so the back office fell back to English order ("فبراير 27, 2018").
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، g:i A"
SHORT_DATETIME_FORMAT = "d‏/m‏/Y، g:i A"

# Django's Arabic formats do not group digits; long counts read better grouped.
THOUSAND_SEPARATOR = "٬"
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "٫"

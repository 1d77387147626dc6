from twinning.core.formats import cldr_separators

DECIMAL_SEPARATOR, THOUSAND_SEPARATOR = cldr_separators("es")
NUMBER_GROUPING = 3

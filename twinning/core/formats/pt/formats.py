from twinning.core.formats import cldr_separators

DECIMAL_SEPARATOR, THOUSAND_SEPARATOR = cldr_separators("pt")
NUMBER_GROUPING = 3

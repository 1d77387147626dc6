from twinning.core.formats import cldr_separators

DECIMAL_SEPARATOR, THOUSAND_SEPARATOR = cldr_separators("ru")
NUMBER_GROUPING = 3

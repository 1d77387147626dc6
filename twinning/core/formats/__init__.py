"""Django's number formats per language, taken from CLDR (through babel) so that what Django writes
(`floatformat`, `number_format`, a number in a template) and what `twinning.core.numbers` reads back agree.

Django's own formats differ from CLDR for some of Twinning's languages: French groups with a no-break space
where CLDR says a narrow no-break space (U+202F), Spanish with a no-break space where CLDR says a dot. A number
shown to a Spanish reader as "1 234,5" could not be typed back as shown; settings.FORMAT_MODULE_PATH points
here, and each language's module takes its separators from `cldr_separators`. Dates stay Django's.
"""

from babel.numbers import get_decimal_symbol, get_group_symbol


def cldr_separators(language: str) -> tuple[str, str]:
    """The decimal sign and the thousands separator CLDR gives `language`: ("," and "\\u202f") for "fr"."""
    return get_decimal_symbol(language), get_group_symbol(language)

"""Month names as dates are written in each language, named here so that our catalogues carry them.

Django's Portuguese catalogue capitalises month names ("5 de Março de 2026"), where Portuguese writes them in lower
case ("5 de março de 2026"). The project's catalogues are merged over Django's, so naming the msgids Django's date
formats use (`F`: the month's name; `E`: its form inside a date, context "alt. month") puts our own translations
in front: lower case in Portuguese, Django's own wording in the other languages. Nothing imports the names; they
are here for the catalogues.
"""

from django.utils.translation import gettext_lazy, pgettext_lazy

MONTHS = (
    gettext_lazy("January"),
    gettext_lazy("February"),
    gettext_lazy("March"),
    gettext_lazy("April"),
    gettext_lazy("May"),
    gettext_lazy("June"),
    gettext_lazy("July"),
    gettext_lazy("August"),
    gettext_lazy("September"),
    gettext_lazy("October"),
    gettext_lazy("November"),
    gettext_lazy("December"),
)
MONTHS_IN_DATES = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)

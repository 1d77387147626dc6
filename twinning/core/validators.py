from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def validate_upload_size(file: File) -> None:
    limit = settings.MAX_UPLOAD_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)}
        )


# SQLite keeps a decimal column as a binary float, exact to 15 significant digits: beyond that a figure comes back
# changed, and one near the column's limit (99999999999999.9999 in a max_digits=18 column) rounds up past it and
# cannot be read back at all, breaking every page that shows it (issue 9 tester finding). PostgreSQL would keep
# more, but a figure must mean the same on both databases.
STORABLE_DIGITS = 15


def validate_storable_decimal(value: Decimal | None) -> None:
    """Refuse a decimal with more than 15 significant digits (trailing zeros after the point do not count), or one
    that is not finite, so every stored measure, amount and rate reads back exactly as typed on either database.
    For model fields (so forms, the API and imports all apply it).

    Raises: ValidationError.
    """
    if value is None:
        return
    if not value.is_finite():
        raise ValidationError(_("Enter a number."), code="invalid")
    digits = value.normalize().as_tuple().digits
    if len(digits) > STORABLE_DIGITS:
        raise ValidationError(
            _("Enter at most %(digits)s significant digits; %(value)s has %(count)s.")
            % {"digits": STORABLE_DIGITS, "value": value, "count": len(digits)},
            code="max_digits",
        )

import re
from decimal import Decimal
from typing import Any

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


# DHIS2 identifiers (UIDs) are 11 characters: a letter, then ten letters or digits (DHIS2's CodeGenerator). A
# data element, org unit or category option combo named otherwise would be refused by every DHIS2 server.
DHIS2_UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")


def validate_dhis2_uid(value: str) -> None:
    """Refuse anything that is not a DHIS2 UID (11 characters: a letter, then 10 letters or digits). Blank is
    left to the field's `blank`.

    Raises: ValidationError.
    """
    if value and not DHIS2_UID.match(value):
        raise ValidationError(
            _("%(value)s is not a DHIS2 identifier: 11 letters or digits, starting with a letter.")
            % {"value": value[:20]},
            code="dhis2_uid",
        )


# The first bytes each accepted upload type starts with; a file whose content disagrees with its name is refused.
_UPLOAD_MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
}
_TEXT_EXTENSIONS = {"txt", "csv", "rtf"}


def validate_upload_content(file: Any) -> None:
    """Refuse an uploaded file that is not what its name says or is unsafe to open: the content must start as
    its extension's type does (PDF, images, Office and OpenDocument files, old Word files), text must not hold
    NUL bytes, every ZIP-based file passes the archive bounds (core.uploads.check_archive: a zip bomb posing as
    a .docx is refused, with a message about a document, not a workbook), and every PDF passes the active
    content check (core.uploads.refuse_active_pdf: script, launch actions, embedded files). The one check of
    every upload field that is not a practice document (those go through knowledge.files.inspect_upload, which
    applies the same two checks). A stored file being validated again (nothing to read) passes.

    Raises: ValidationError.
    """
    from twinning.core.uploads import check_archive, refuse_active_pdf

    name = str(getattr(file, "name", "") or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    handle = getattr(file, "file", file)
    try:
        handle.seek(0)
        head = handle.read(8)
        handle.seek(0)
    except (AttributeError, OSError, ValueError):
        return  # a stored file being re-validated: it was checked when it came in
    mismatch = ValidationError(
        _("The file's content does not match its name (.%(ext)s).") % {"ext": extension}, code="file_type"
    )
    expected = _UPLOAD_MAGIC.get(extension)
    if expected is not None and not any(head.startswith(magic) for magic in expected):
        raise mismatch
    if extension in _TEXT_EXTENSIONS and b"\x00" in head:
        raise mismatch
    if head.startswith(b"PK\x03\x04"):
        try:
            check_archive(handle)
        except ValidationError:
            raise ValidationError(
                _("The file is a damaged archive, or too large or too densely packed to open safely."),
                code="unsafe",
            ) from None
    if head.startswith(b"%PDF-"):
        refuse_active_pdf(handle)

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

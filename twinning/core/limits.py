"""How long free text people type may be: a bounded TextField for every app.

The limit lives on the model field (`text_field`), so every door applies it alike: the forms (which take their
`max_length` from the field, so the browser stops typing there too), the API (whose schemas name the same
constants) and the services and imports behind both, which `full_clean()` what they save. Past the limit a person
reads Django's translated "Ensure this value has at most N characters (it has M)." and nothing is saved. Unbounded
text is also a denial of service: a page, an export or a search highlighter that reads megabytes of one field
blocks a worker.
"""

from typing import Any

from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models

# A paragraph or a few: descriptions, notes, summaries, reasons, mitigations, a follow-up's closing comment.
TEXT_MAX = 5000
# A remark beside one answer or one signature, or an item's statement: the length of monitoring's comments.
COMMENT_MAX = 2000
# A narrative of its own: a partnership's description, a plan's summary, an exchange's outcomes and what each side
# learned (a few pages).
NARRATIVE_MAX = 10_000
# The longest free text people write in one field: an exchange's trip report.
REPORT_MAX = 20_000


def text_field(label: Any, *, limit: int = TEXT_MAX, **kwargs: Any) -> models.TextField:
    """A TextField capped at `limit` characters (and refusing NUL characters) by the model's validators and, in
    forms built from it, by the form field's max_length.

    Raises: nothing.
    """
    return models.TextField(
        label,
        max_length=limit,
        validators=[MaxLengthValidator(limit), ProhibitNullCharactersValidator()],
        **kwargs,
    )

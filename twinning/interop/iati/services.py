"""Writes for IATI publishing: the programme's IATI organisation and whether its file is public."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from twinning.accounts.access import programme_access, require
from twinning.accounts.models import User
from twinning.partnerships.models import Programme
from twinning.partnerships.services import programme_update


@transaction.atomic
def iati_publication_set(
    *, actor: User, programme: Programme, iati_org_id: str, iati_org_type: str, published: bool
) -> Programme:
    """Set the programme's IATI organisation (identifier and type) and whether its activity file is published
    at its public address; programme managers only (ProgrammeAccess.can_publish_iati), audited through
    `programme_update` in the same transaction. Publishing needs an organisation identifier.

    Raises: PermissionDenied, ValidationError.
    """
    require(programme_access(actor, programme.pk, programme).can_publish_iati)
    iati_org_id = iati_org_id.strip()
    if published and not iati_org_id:
        raise ValidationError(
            {"iati_org_id": _("A published IATI file needs the organisation identifier that publishes it.")}
        )
    return programme_update(
        actor=actor,
        programme=programme,
        data={"iati_org_id": iati_org_id, "iati_org_type": iati_org_type, "iati_published": published},
    )

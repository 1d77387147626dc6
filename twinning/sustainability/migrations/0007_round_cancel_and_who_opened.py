"""A round can be cancelled (kept, with its sheets, as cancelled), and it records whether the programme opened it,
which decides who may change it. Versions frozen by a blank answer sheet are editable again: only an answer given
freezes a version (a tester's finding, issue 13)."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

EDITOR_ROLES = ("manager", "me_officer")


def who_opened(apps, schema_editor):
    """A round opened by a coordinator of the partnership who edits nothing in its programme was the partnership's
    own; every other round (programme staff, an administrator, an opener since removed) stays the programme's."""
    AssessmentRound = apps.get_model("sustainability", "AssessmentRound")
    PartnershipMembership = apps.get_model("accounts", "PartnershipMembership")
    ProgrammeRole = apps.get_model("accounts", "ProgrammeRole")
    for assessment_round in AssessmentRound.objects.filter(opened_by__isnull=False).select_related(
        "partnership", "opened_by"
    ):
        opener = assessment_round.opened_by
        coordinates = PartnershipMembership.objects.filter(
            user=opener, partnership_id=assessment_round.partnership_id, role="coordinator"
        ).exists()
        edits = ProgrammeRole.objects.filter(
            user=opener, programme_id=assessment_round.partnership.programme_id, role__in=EDITOR_ROLES
        ).exists()
        if coordinates and not edits and not opener.is_superuser:
            AssessmentRound.objects.filter(pk=assessment_round.pk).update(opened_by_programme=False)


def thaw_unanswered(apps, schema_editor):
    """Versions frozen with no answer given on them (only blank sheets) become editable again."""
    InstrumentVersion = apps.get_model("sustainability", "InstrumentVersion")
    Answer = apps.get_model("sustainability", "Answer")
    answered = (
        Answer.objects.exclude(value__isnull=True, not_applicable=False, comment="")
        .values("item__section__version")
    )
    InstrumentVersion.objects.filter(frozen_at__isnull=False).exclude(pk__in=answered).update(frozen_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles_memberships_tokens"),
        ("sustainability", "0006_round_title_may_be_blank"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="assessmentround",
            name="cancel_reason",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[
                    django.core.validators.MaxLengthValidator(5000),
                    django.core.validators.ProhibitNullCharactersValidator(),
                ],
                verbose_name="why the round was cancelled",
            ),
        ),
        migrations.AddField(
            model_name="assessmentround",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="cancelled"),
        ),
        migrations.AddField(
            model_name="assessmentround",
            name="cancelled_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="cancelled by",
            ),
        ),
        migrations.AddField(
            model_name="assessmentround",
            name="opened_by_programme",
            field=models.BooleanField(default=True, editable=False, verbose_name="opened by the programme"),
        ),
        migrations.RunPython(who_opened, migrations.RunPython.noop),
        migrations.RunPython(thaw_unanswered, migrations.RunPython.noop),
    ]

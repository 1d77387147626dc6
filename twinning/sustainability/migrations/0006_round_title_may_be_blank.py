"""A round opened without a typed title stores none and is shown as its instrument and year in the reader's
language (AssessmentRound.shown_title). Rounds whose stored title is that automatic one, in any of the site's
languages (it was written in the language of whoever opened the round), are blanked; back again, a blank title
becomes the English automatic one."""

from django.conf import settings
from django.db import migrations, models
from django.utils import translation


def blank_automatic_titles(apps, schema_editor):
    AssessmentRound = apps.get_model("sustainability", "AssessmentRound")
    rounds = AssessmentRound.objects.exclude(title="").select_related("instrument_version__instrument")
    blanked = []
    for r in rounds.iterator(chunk_size=500):
        name, year = r.instrument_version.instrument.name, r.due_date.year
        automatic = {f"{name} {year}"}
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                automatic.add(f"{translation.gettext(name) if name else ''} {year}")
        if r.title in automatic:
            blanked.append(r.pk)
    AssessmentRound.objects.filter(pk__in=blanked).update(title="")


def restore_english_titles(apps, schema_editor):
    AssessmentRound = apps.get_model("sustainability", "AssessmentRound")
    for r in AssessmentRound.objects.filter(title="").select_related("instrument_version__instrument"):
        r.title = f"{r.instrument_version.instrument.name} {r.due_date.year}"
        r.save(update_fields=["title"])


class Migration(migrations.Migration):
    dependencies = [
        ("sustainability", "0005_constraint_messages"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessmentround",
            name="title",
            field=models.CharField(blank=True, max_length=200, verbose_name="title"),
        ),
        migrations.RunPython(blank_automatic_titles, restore_english_titles),
    ]

import pycountry
from django.db import migrations

from twinning.directory.taxonomy import HEALTH_AREAS


def seed(apps, schema_editor):
    Language = apps.get_model("directory", "Language")
    HealthArea = apps.get_model("directory", "HealthArea")
    Language.objects.bulk_create(
        [Language(code=lang.alpha_2, name=lang.name) for lang in pycountry.languages if hasattr(lang, "alpha_2")],
        ignore_conflicts=True,
    )
    HealthArea.objects.bulk_create(
        [HealthArea(code=code, name=name, order=i) for i, (code, name) in enumerate(HEALTH_AREAS, start=1)],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    apps.get_model("directory", "HealthArea").objects.filter(code__in=[c for c, _ in HEALTH_AREAS]).delete()
    apps.get_model("directory", "Language").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

from django.db import migrations

from twinning.directory.taxonomy import HEALTH_AREAS, seed_languages_and_health_areas


def seed(apps, schema_editor):
    seed_languages_and_health_areas(
        apps.get_model("directory", "Language"), apps.get_model("directory", "HealthArea")
    )


def unseed(apps, schema_editor):
    apps.get_model("directory", "HealthArea").objects.filter(code__in=[c for c, _ in HEALTH_AREAS]).delete()
    apps.get_model("directory", "Language").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

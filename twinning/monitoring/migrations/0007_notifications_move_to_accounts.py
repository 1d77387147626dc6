# Notifications now belong to accounts (its migration 0003 takes over and renames the table).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0006_results_import_jobs"),
        ("accounts", "0003_notifications_move_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]

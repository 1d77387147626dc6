"""Results name their partnership and indicator (filled in by the next migration); see 0003."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_results_reports_review"),
        ("partnerships", "0001_initial"),
        ("planning", "0002_order_adoptions_and_targets_by_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="result",
            name="partnership",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="partnerships.partnership",
            ),
        ),
        migrations.AddField(
            model_name="result",
            name="indicator",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="planning.indicator",
            ),
        ),
        migrations.AlterField(
            model_name="result",
            name="plan_indicator",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="planning.planindicator",
            ),
        ),
        migrations.RemoveConstraint(model_name="result", name="one_overall_result"),
        migrations.RemoveConstraint(model_name="result", name="one_result_per_option"),
    ]

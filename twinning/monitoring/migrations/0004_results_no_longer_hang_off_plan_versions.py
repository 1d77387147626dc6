"""Results no longer hang off a plan version's adoption: one value per partnership, indicator, period and
option, enforced by the database (see 0003 for how existing duplicates were merged)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_merge_results_across_plan_versions")]

    operations = [
        migrations.AlterModelOptions(
            name="result",
            options={
                "ordering": ["partnership_id", "indicator_id", "period", "option_id"],
                "verbose_name": "result",
                "verbose_name_plural": "results",
            },
        ),
        migrations.RemoveField(model_name="result", name="plan_indicator"),
        migrations.AlterField(
            model_name="result",
            name="partnership",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="results",
                to="partnerships.partnership",
            ),
        ),
        migrations.AlterField(
            model_name="result",
            name="indicator",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="results", to="planning.indicator"
            ),
        ),
        migrations.AddConstraint(
            model_name="result",
            constraint=models.UniqueConstraint(
                condition=models.Q(("option__isnull", True)),
                fields=("partnership", "indicator", "period"),
                name="one_overall_result_per_partnership",
            ),
        ),
        migrations.AddConstraint(
            model_name="result",
            constraint=models.UniqueConstraint(
                condition=models.Q(("option__isnull", False)),
                fields=("partnership", "indicator", "period", "option"),
                name="one_option_result_per_partnership",
            ),
        ),
        migrations.AddIndex(
            model_name="result",
            index=models.Index(fields=["indicator", "period"], name="result_indicator_period"),
        ),
    ]

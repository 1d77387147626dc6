"""Results belong to the partnership and the indicator, not to a plan version's adoption of it.

Before, each plan version had its own adoption rows (PlanIndicator) and results hung off them, so a value
entered under version 1 was invisible on version 2's entry form and could be entered a second time; roll-ups
then counted both. This migration names each result's partnership and indicator, merges the duplicates and
drops the link to the adoption.

Duplicates (same partnership, indicator, period and option) are merged deterministically: the row kept is the
one entered under the newest plan version, then the most recently updated, then the highest id. Evidence
attached to a dropped row moves to the kept row. Reversing re-links each result to the adoption of its
indicator in the partnership's newest plan version that has it; merged rows are not brought back.
"""

from django.db import migrations, models


def link_to_partnership_and_indicator(apps, schema_editor):
    Result = apps.get_model("monitoring", "Result")
    Evidence = apps.get_model("monitoring", "Evidence")
    PlanIndicator = apps.get_model("planning", "PlanIndicator")
    adoption = PlanIndicator.objects.filter(pk=models.OuterRef("plan_indicator_id"))
    # One statement for every row, whatever the count.
    Result.objects.update(
        partnership_id=models.Subquery(adoption.values("plan__partnership_id")[:1]),
        indicator_id=models.Subquery(adoption.values("indicator_id")[:1]),
    )
    key = ("partnership_id", "indicator_id", "period", "option_id")
    clashes = (
        Result.objects.values(*key)
        .annotate(n=models.Count("id"))
        .filter(n__gt=1)
        .order_by()
        .values_list(*key)
    )
    for partnership_id, indicator_id, period, option_id in clashes:
        same = Result.objects.filter(
            partnership_id=partnership_id, indicator_id=indicator_id, period=period, option_id=option_id
        ).order_by("-plan_indicator__plan__number", "-updated_at", "-id")
        kept, *dropped = list(same.values_list("pk", flat=True))
        Evidence.objects.filter(result_id__in=dropped).update(result_id=kept)
        Result.objects.filter(pk__in=dropped).delete()


def link_back_to_adoption(apps, schema_editor):
    Result = apps.get_model("monitoring", "Result")
    PlanIndicator = apps.get_model("planning", "PlanIndicator")
    adoption: dict[tuple[int, int], int] = {}
    for pk, partnership_id, indicator_id in PlanIndicator.objects.order_by("plan__number").values_list(
        "pk", "plan__partnership_id", "indicator_id"
    ):
        adoption[(partnership_id, indicator_id)] = pk  # the newest plan version wins
    pairs = Result.objects.values_list("partnership_id", "indicator_id").distinct()
    for partnership_id, indicator_id in pairs:
        pk = adoption.get((partnership_id, indicator_id))
        if pk is None:
            raise RuntimeError(
                f"Results of partnership {partnership_id} for indicator {indicator_id} have no plan that "
                "adopts the indicator; they cannot be linked back to a plan version."
            )
        Result.objects.filter(partnership_id=partnership_id, indicator_id=indicator_id).update(
            plan_indicator_id=pk
        )


# On its own, between two schema migrations: PostgreSQL refuses to ALTER a table in the transaction that
# changed its rows' foreign keys ("pending trigger events").
class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_result_partnership_and_indicator_fields")]

    operations = [migrations.RunPython(link_to_partnership_and_indicator, link_back_to_adoption)]

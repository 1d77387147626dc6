"""What the history shows of a change, kind by kind, across the product: a file by the name it was uploaded under
(never the storage path), a creation with everything written with it (many-to-many values and the rows beside the
record), related records and shipped names in the reader's language (not the writer's), and a creation's values
without a "before" (not "0 → 40")."""

import datetime
import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation

from twinning.audit.models import AuditEvent
from twinning.audit.services import FILE_NAME_FIELDS, related_label, snapshot
from twinning.core.history import history_entry
from twinning.core.services import update_with_audit
from twinning.directory.models import Institution
from twinning.testing.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

STORED = "knowledge/2026/05/a1b2c3d4e5.pdf"


def line(event: AuditEvent, language: str = "en") -> dict[str, tuple[str | None, str]]:
    with translation.override(language):
        entry = history_entry(event, full=True, show_contacts=True)
    return {c.label: (c.before, c.after) for c in entry.changes}


def label(model: type[models.Model], name: str, language: str) -> str:
    with translation.override(language):
        return str(model._meta.get_field(name).verbose_name)


def created_event(obj: models.Model) -> AuditEvent:
    return AuditEvent.objects.get(
        target_type=ContentType.objects.get_for_model(obj),
        target_id=str(obj.pk),
        action=AuditEvent.Action.CREATE,
    )


# --- files ------------------------------------------------------------------------------------------------------


def models_with_files() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models()
        if model.__module__.startswith("twinning.")
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def test_the_walk_finds_the_products_file_fields():
    found = {f"{model.__name__}.{name}" for model, name in models_with_files()}
    assert {"DisseminationRecord.evidence_file", "DocumentVersion.file", "Agreement.document"} <= found
    assert len(found) >= 8


@pytest.mark.parametrize(("model", "name"), models_with_files(), ids=lambda v: getattr(v, "__name__", v))
def test_every_file_field_is_recorded_by_its_uploaded_name_never_its_storage_path(model, name):
    record = model()
    getattr(record, name).name = STORED  # as a saved file reads: the storage path
    beside = [f.name for f in model._meta.concrete_fields if f.name in FILE_NAME_FIELDS]
    for sibling in beside:
        setattr(record, sibling, "Attendance list May.pdf")
    stored = snapshot(record, [name])[name]
    assert "/" not in stored
    assert stored == ("Attendance list May.pdf" if beside else "a1b2c3d4e5.pdf")
    # A file being uploaded (not saved yet) is named as it was uploaded.
    upload = model()
    setattr(upload, name, SimpleUploadedFile("Minutes of the visit.pdf", b"%PDF-1.4"))
    assert snapshot(upload, [name])[name] == "Minutes of the visit.pdf"


@pytest.mark.parametrize(("model", "name"), models_with_files(), ids=lambda v: getattr(v, "__name__", v))
def test_an_event_written_with_the_storage_path_shows_only_the_files_name(model, name):
    event = AuditEvent(
        action=AuditEvent.Action.UPDATE,
        target_type=ContentType.objects.get_for_model(model),
        target_id="1",
        target_repr="A record",
        changes={name: [None, STORED]},
    )
    assert [after for _before, after in line(event).values()] == ["a1b2c3d4e5.pdf"]


def test_a_dissemination_records_history_names_its_evidence_file_as_uploaded(world):
    from twinning.knowledge.spread import services

    record = services.dissemination_create(
        actor=world.member,
        programme=world.programme,
        partnership=world.partnership,
        kind="workshop",
        title="Regional safer-births workshop",
        date=datetime.date(2025, 5, 14),
        audience="facilities",
        evidence_file=SimpleUploadedFile("Attendance list.pdf", b"%PDF-1.4 attendance"),
    )
    assert "/" in str(record.evidence_file.name)  # stored under knowledge/dissemination/<year>/
    assert created_event(record).changes["evidence_file"] == [None, "Attendance list.pdf"]

    # The same name uploaded again is still a new file: saved and recorded.
    services.dissemination_update(
        actor=world.member,
        record=record,
        data={"evidence_file": SimpleUploadedFile("Attendance list.pdf", b"%PDF-1.4 corrected")},
    )
    record.refresh_from_db()
    assert record.evidence_file.read() == b"%PDF-1.4 corrected"
    update = AuditEvent.objects.for_object(record).filter(action=AuditEvent.Action.UPDATE).get()
    assert "/" not in str(update.changes["evidence_file"])


# --- creation records what is written with the record ---------------------------------------------------------------


def test_a_practices_creation_records_its_countries_and_links(world):
    from twinning.knowledge import services
    from twinning.knowledge.models import Setting

    practice = services.practice_create(
        actor=world.member,
        partnerships=[world.partnership],
        title="Triage bundle",
        summary="What we learned.",
        countries=["UG", "KE"],
        setting=Setting.HOSPITAL,
        language="en",
    )
    changes = created_event(practice).changes
    assert changes["countries"] == [None, ["KE", "UG"]]
    assert changes["partnerships"] == [None, [world.partnership.title]]
    assert (None, "Kenya, Ouganda") in line(created_event(practice), "fr").values()


def test_a_partnerships_creation_names_its_sides_in_the_same_event(world):
    from twinning.partnerships.services import partnership_create

    host: Institution = InstitutionFactory.create(name="Mulago hospital")
    resource: Institution = InstitutionFactory.create(name="Leeds teaching")
    partnership = partnership_create(
        actor=world.manager,
        programme=world.programme,
        title="Mulago–Leeds",
        hosts=[host],
        resources=[resource],
    )
    events = AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(partnership), target_id=str(partnership.pk)
    )
    assert [e.action for e in events] == [AuditEvent.Action.CREATE]
    assert (events[0].changes["hosts"], events[0].changes["resources"]) == (
        [None, ["Mulago hospital"]],
        [None, ["Leeds teaching"]],
    )


def test_an_institutions_creation_records_its_expertise_and_needs(world):
    from twinning.directory.models import HealthArea
    from twinning.directory.services import institution_create

    areas = list(HealthArea.objects.order_by("code")[:2])
    assert len(areas) == 2
    institution = institution_create(
        actor=world.admin,
        name="Gulu hospital",
        type="hospital",
        country="UG",
        expertise=[areas[0]],
        needs=[areas[1]],
    )
    changes = created_event(institution).changes
    assert changes["expertise"] == [None, [related_label(areas[0])]]
    assert changes["needs"] == [None, [related_label(areas[1])]]


def test_a_new_programme_records_its_default_pillars(world):
    from twinning.partnerships.services import programme_create

    programme = programme_create(actor=world.admin, name="Safer surgery")
    pillars = created_event(programme).changes["pillars"][1]
    assert len(pillars) == programme.pillars.count() == 5


# --- related records and shipped names in the reader's language -------------------------------------------------


def test_a_related_record_is_quoted_in_the_readers_language_not_the_writers(world):
    from twinning.sustainability.models import Instrument
    from twinning.sustainability.services import round_open

    instrument = Instrument.objects.get(programme__isnull=True, kind=Instrument.Kind.HEALTH_CHECK)
    with translation.override("en"):
        assessment_round = round_open(
            actor=world.coordinator,
            partnership=world.partnership,
            instrument=instrument,
            due_date=datetime.date(2026, 12, 31),
        )
        english = str(assessment_round.instrument_version)
    with translation.override("fr"):
        french = str(assessment_round.instrument_version)
    assert english != french
    for language, name in (("en", english), ("fr", french)):
        shown = line(created_event(assessment_round), language)
        assert shown[label(type(assessment_round), "instrument_version", language)] == (None, name)


def test_many_to_many_values_are_quoted_in_the_readers_language(world):
    from twinning.directory.models import Language

    institution: Institution = InstitutionFactory.create()
    french_language = Language.objects.get_or_create(code="fr", defaults={"name": "French"})[0]
    with translation.override("en"):
        update_with_audit(actor=world.admin, obj=institution, data={"languages": [french_language]})
    event = AuditEvent.objects.for_object(institution).get()
    with translation.override("fr"):
        expected = str(french_language)
    assert expected != "French"
    assert line(event, "fr")[label(type(institution), "languages", "fr")] == ("—", expected)


def test_the_demos_plan_objective_and_activity_read_in_the_readers_language(world):
    from twinning.planning import demo, services
    from twinning.planning.tests.factories import pillars

    statement = demo.OBJECTIVES["models_of_care"][0]
    title = demo.ACTIVITIES["models_of_care"][0]
    with translation.override("fr"):
        french = {
            "plan": translation.gettext(demo.PLAN_TITLE),
            "statement": translation.gettext(statement),
            "title": translation.gettext(title),
        }
    assert french["plan"] != demo.PLAN_TITLE and french["title"] != title
    with translation.override("en"):
        plan = services.plan_create(
            actor=world.coordinator,
            partnership=world.partnership,
            title=demo.PLAN_TITLE,
            first_year=2024,
            last_year=2026,
        )
        objective = services.objective_create(
            actor=world.coordinator,
            plan=plan,
            code="O1",
            statement=statement,
            pillar=pillars(world.programme)[0],
        )
        activity = services.activity_create(
            actor=world.coordinator, objective=objective, title=title, responsible_side="host"
        )
    assert line(created_event(plan), "fr")[label(type(plan), "title", "fr")] == (None, french["plan"])
    shown = line(created_event(activity), "fr")
    assert shown[label(type(activity), "title", "fr")] == (None, french["title"])
    assert french["statement"][:40] in shown[label(type(activity), "objective", "fr")][1]


def test_a_follow_ups_answer_is_named_by_the_demo_activitys_title_in_the_readers_language():
    from twinning.planning import demo
    from twinning.sustainability.models import FollowUp

    title = demo.ACTIVITIES["models_of_care"][0]
    event = AuditEvent(
        action=AuditEvent.Action.UPDATE,
        target_type=ContentType.objects.get_for_model(FollowUp),
        target_id="1",
        target_repr="Follow-up",
        changes={title: [None, "running"]},
    )
    with translation.override("fr"):
        french = translation.gettext(title)
    assert french != title
    assert list(line(event, "fr")) == [french]


# --- a creation lists its values, not changes from nothing ------------------------------------------------------


def test_a_new_answer_sheet_lists_how_many_statements_were_answered_with_no_arrow(world):
    from twinning.sustainability.models import Item
    from twinning.sustainability.services import AnswerInput, answers_save
    from twinning.sustainability.tests.factories import RoundFactory

    assessment_round = RoundFactory(partnership=world.partnership)
    items = Item.objects.filter(section__version=assessment_round.instrument_version)
    sheet = answers_save(
        actor=world.coordinator,
        assessment_round=assessment_round,
        answers={item.pk: AnswerInput(value=3) for item in items},
    )
    event = created_event(sheet)
    assert event.changes["answered"] == [None, items.count()]
    assert line(event)["statements answered"] == (None, str(items.count()))


def test_a_creation_stored_with_a_before_value_shows_only_the_value_it_started_with(world):
    from twinning.sustainability.models import Response

    event = AuditEvent.objects.create(
        action=AuditEvent.Action.CREATE,
        target_type=ContentType.objects.get_for_model(Response),
        target_id="1",
        target_repr="Answers",
        changes={"answered": [0, 40]},
    )
    assert line(event) == {"statements answered": (None, "40")}
    html = render_to_string(
        "core/includes/history.html", {"events": AuditEvent.objects.all(), "history_full": True}
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "statements answered: 40" in text and "→" not in text
    # An update keeps its before and after.
    event.action = AuditEvent.Action.UPDATE
    assert line(event) == {"statements answered": ("0", "40")}


def test_every_value_a_file_snapshot_gives_is_json_and_names_only_the_file():
    record = apps.get_model("partnerships", "Agreement")(
        document=ContentFile(b"%PDF", name="x/y/Signed MoU.pdf")
    )
    assert snapshot(record, ["document"]) == {"document": "Signed MoU.pdf"}


def test_an_institutions_needs_and_expertise_are_quoted_in_the_readers_language(world):
    """The matching profile's areas are shipped names and its levels choices: an English editor's change reads
    in French for a French reader (it was stored as the editor wrote it)."""
    from twinning.matching import services
    from twinning.matching.tests.factories import area

    institution = world.partnership.side_links.get(side="host").institution
    with translation.override("en"):
        services.profile_update(
            actor=world.coordinator,
            institution=institution,
            needs=[{"area": area("laboratory"), "priority": 3, "description": "blood culture"}],
            expertise=[],
        )
    event = AuditEvent.objects.for_object(institution).filter(changes__has_key="needs").get()
    with translation.override("fr"):
        need = institution.need_items.get()
        expected = f"{need.area}\u00a0: {need.get_priority_display()} · blood culture"
    assert "Laboratory" not in expected
    (change,) = line(event, "fr").values()
    assert change == ("—", expected)

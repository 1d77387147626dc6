"""The change history in people's language (twinning/core/history.py): labels, formats, no bookkeeping, short
version for readers, and never a crash on odd stored data."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.utils import translation

from twinning.audit.models import AuditEvent
from twinning.core.history import SHORT_LIMIT, change_value, history_entries, history_entry
from twinning.monitoring.models import PeriodReport, Result
from twinning.partnerships.models import Partnership, Programme, Stakeholder
from twinning.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2024, 3, 5, 14, 30, tzinfo=datetime.UTC)


def event_about(model, changes, *, actor=None, reason="", target="A record") -> AuditEvent:
    return AuditEvent(
        at=AT,
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target_type=ContentType.objects.get_for_model(model),
        target_id="1",
        target_repr=target,
        changes=changes,
        reason=reason,
    )


def test_a_choice_is_shown_with_its_label_not_its_code():
    line = history_entry(
        event_about(PeriodReport, {"status": ["submitted", "approved"]}), full=True, show_contacts=True
    )
    assert [(c.label, c.before, c.after) for c in line.changes] == [("status", "Submitted", "Approved")]


def test_a_date_is_formatted_in_the_active_language():
    event = event_about(Partnership, {"start_date": [None, "2024-03-05"]})
    with translation.override("en"):
        assert change_value(event, "start_date", "2024-03-05") == "March 5, 2024"
    with translation.override("fr"):
        assert change_value(event, "start_date", "2024-03-05") == "5 mars 2024"
    assert change_value(event, "start_date", None) == "—"


def test_a_number_is_formatted_in_the_active_language_without_stored_trailing_zeros():
    event = event_about(Result, {"value": [None, "1234.5000"]})
    with translation.override("en"):
        assert change_value(event, "value", "1234.5000") == "1,234.5"
        assert change_value(event, "value", "12.0000") == "12"
    with translation.override("fr"):
        assert (
            change_value(event, "value", "1234.5000").replace("\u202f", " ").replace("\xa0", " ") == "1 234,5"
        )


def test_a_year_is_not_grouped_and_a_country_is_named():
    with translation.override("en"):
        assert change_value(event_about(Partnership, {}), "year", 2026) == "2026"
        assert change_value(event_about(Partnership, {}), "first_year", 2026) == "2026"
        assert change_value(event_about(Partnership, {}), "country", "UG") == "Uganda"


def test_yes_no_and_lists_read_as_words():
    event = event_about(Programme, {"viewers_see_evidence": [False, True]})
    with translation.override("en"):
        line = history_entry(event, full=True, show_contacts=True)
    assert (line.changes[0].before, line.changes[0].after) == ("no", "yes")
    assert change_value(event, "sign_offs", ["Host", "Resource"]) == "Host, Resource"


def test_bookkeeping_fields_are_hidden():
    changes = {
        "version": [1, 2],
        "updated_at": ["2024-01-01T00:00:00", "2024-01-02T00:00:00"],
        "uuid": [None, "0b6c0e1e-0000-0000-0000-000000000000"],
        "file_hash": ["a", "b"],
        "created_by": [None, "x"],
        "partnership_id": [1, 2],
        "title": ["Old", "New"],
    }
    line = history_entry(event_about(Partnership, changes), full=True, show_contacts=True)
    assert [c.label for c in line.changes] == ["title"]


def test_email_addresses_are_hidden_from_those_without_contact_details():
    actor = UserFactory(full_name="", email="nameless@example.org")
    event = event_about(
        Stakeholder,
        {"contact_email": [None, "liaison@moh.example.org"], "name": [None, "MoH"]},
        actor=actor,
        target="ann@example.org - Member",
    )
    hidden = history_entry(event, full=False, show_contacts=False)
    assert "example.org" not in f"{hidden.who} {hidden.target} {[vars(c) for c in hidden.changes]}"
    assert hidden.who == "(no name given)"
    shown = history_entry(event, full=True, show_contacts=True)
    assert shown.who == "nameless@example.org" and shown.changes[0].after == "liaison@moh.example.org"


def test_the_short_version_keeps_the_latest_lines_and_drops_reasons():
    events = [event_about(PeriodReport, {"status": ["submitted", "returned"]}, reason="Ward 3 is wrong")] * 15
    short = history_entries(events, full=False, show_contacts=False)
    assert len(short) == SHORT_LIMIT and short[0].reason == ""
    full = history_entries(events, full=True, show_contacts=False)
    assert len(full) == 15 and full[0].reason == "Ward 3 is wrong"


def test_the_table_has_one_heading_and_the_short_one_shows_no_before_values_or_reasons():
    events = [event_about(PeriodReport, {"status": ["submitted", "returned"]}, reason="Ward 3 is wrong")]
    with translation.override("en"):
        short = render_to_string("core/includes/history.html", {"events": events, "history_full": False})
        full = render_to_string("core/includes/history.html", {"events": events, "history_full": True})
    assert short.count("<h2>") == 1 and full.count("<h2>") == 1
    # The short version is short: which fields changed, without their values (a tester found it as long as the full).
    assert "status" in short and "Returned for correction" not in short and "Submitted" not in short
    assert "Ward 3" not in short
    assert "Submitted → Returned for correction" in full and "Ward 3 is wrong" in full


@pytest.mark.parametrize(
    "changes",
    [
        {"status": [{"odd": 1}, ["x"]]},
        {"value": [None, "not a number"]},
        {"start_date": [None, "31/02/2024"]},
        {"gone_field": [None, 3]},
        {"status": "only one value"},
        {"value": [None, "NaN"]},
    ],
)
def test_odd_stored_data_is_shown_plainly_never_a_crash(changes):
    model = PeriodReport if "status" in changes else Result if "value" in changes else Partnership
    line = history_entry(event_about(model, changes), full=True, show_contacts=False)
    assert len(line.changes) == 1


def test_changes_that_are_not_a_mapping_give_a_bare_line():
    line = history_entry(event_about(Partnership, ["not", "a", "dict"]), full=True, show_contacts=False)
    assert line.changes == []


def test_a_period_reads_as_its_label_and_a_result_has_a_readable_title():
    # A tester saw "2026Q4" and "created result 5 2026Q4": the period label is "Q4 2026", a result names its indicator.
    from twinning.planning.models import Indicator

    with translation.override("en"):
        assert change_value(event_about(PeriodReport, {}), "period", "2026Q4") == "Q4 2026"
        assert change_value(event_about(Result, {}), "period", "2024") == "2024"
        result = Result(indicator=Indicator(name="Health workers trained"), period="2026Q4")
        assert str(result) == "Health workers trained · Q4 2026"


def test_an_objects_name_is_shown_in_the_readers_language_not_the_writers(world):
    # A membership's name is made of translated words (its role): written by a French speaker, the history names
    # it in each reader's own language.
    from twinning.accounts.models import PartnershipMembership
    from twinning.audit.services import audit_record

    membership = PartnershipMembership.objects.filter(partnership=world.partnership).first()
    with translation.override("fr"):
        audit_record(actor=world.admin, action=AuditEvent.Action.UPDATE, obj=membership)
        french = str(membership)
    event = AuditEvent.objects.get(target_id=str(membership.pk), target_type__model="partnershipmembership")
    assert event.target_repr == french
    for language in ("en", "ru", "pt"):
        with translation.override(language):
            assert history_entry(event, full=True, show_contacts=True).target == str(membership) != french


def test_a_name_people_typed_is_stored_once(world):
    from twinning.audit.services import audit_record

    event = audit_record(actor=world.admin, action=AuditEvent.Action.UPDATE, obj=world.partnership)
    assert event.target_repr == world.partnership.title and event.target_names == {}
    with translation.override("ru"):
        assert history_entry(event, full=True, show_contacts=True).target == world.partnership.title


def test_events_written_before_names_were_kept_per_language_show_the_stored_name():
    event = event_about(Partnership, {}, target="Старое имя")
    with translation.override("fr"):
        assert history_entry(event, full=True, show_contacts=True).target == "Старое имя"


@pytest.mark.parametrize(
    ("name", "french"),
    [
        ("answered", "énoncés répondus"),
        ("results imported", "résultats importés"),
        ("sign_offs", "signatures"),
    ],
)
def test_a_change_that_is_no_field_has_a_translated_label(name, french):
    # A tester read "answered: 0 → 40" on a French page: the services name some changes that are no field.
    from twinning.sustainability.models import Response

    with translation.override("fr"):
        line = history_entry(event_about(Response, {name: [0, 40]}), full=True, show_contacts=True)
    assert [c.label for c in line.changes] == [french]


@pytest.mark.parametrize("language", ["fr", "ru"])
def test_a_results_import_is_worded_in_the_readers_language_from_its_counts(language):
    counts = {"created": 1200, "updated": 3, "conflicts": 0, "source": "q1.xlsx"}
    event = event_about(Partnership, {"results imported": [None, counts]})
    with translation.override(language):
        after = history_entry(event, full=True, show_contacts=True).changes[0].after
        sentence = translation.gettext(
            "%(created)s created, %(updated)s updated, %(conflicts)s conflicts from %(source)s"
        )
    assert sentence != "%(created)s created, %(updated)s updated, %(conflicts)s conflicts from %(source)s"
    expected = sentence % {"created": "1 200", "updated": "3", "conflicts": "0", "source": "q1.xlsx"}
    assert plain_spaces(after) == plain_spaces(expected)


def plain_spaces(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")

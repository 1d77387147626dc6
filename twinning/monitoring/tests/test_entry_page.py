"""The whole entry page saved at once: every row checked, then all written or none, nothing typed lost."""

from decimal import Decimal

import lxml.html
import pytest
from django.conf import settings

from twinning.audit.models import AuditEvent
from twinning.monitoring import services
from twinning.monitoring.models import PeriodReport, Result
from twinning.monitoring.tests.factories import monitored

pytestmark = pytest.mark.django_db

PERIOD = "2024Q1"


def entry(m, key="trained", option=None, version=None, **values):
    adoption = getattr(m, key)
    row_key = f"{adoption.uuid}-{option.pk if option else 'total'}"
    return services.ResultEntry(
        key=row_key, plan_indicator=adoption, option=option, values=values, expected_version=version
    )


def save_all(world, m, entries, who=None):
    return services.results_save(
        actor=who or world.member, partnership=world.partnership, period=PERIOD, entries=entries
    )


def key(adoption, option=None):
    return f"{adoption.uuid}-{option.pk if option else 'total'}"


# --- the service ------------------------------------------------------------------------------------------


def test_every_row_is_saved_in_one_go(world):
    m = monitored(world)
    female = m.sex.options.get(code="female")
    changed = save_all(
        world,
        m,
        [
            entry(m, value="12"),
            entry(m, option=female, value="7"),
            entry(m, "deaths", numerator="4", denominator="50"),
        ],
    )
    assert changed == 3
    assert Result.objects.get(indicator=m.trained.indicator, option=None).value == 12
    assert Result.objects.get(indicator=m.trained.indicator, option=female).value == 7
    assert Result.objects.get(indicator=m.deaths.indicator).value == 8


def test_one_bad_row_saves_nothing_and_names_every_bad_row(world):
    m = monitored(world)
    female = m.sex.options.get(code="female")
    with pytest.raises(services.ResultsRejected) as refused:
        save_all(
            world,
            m,
            [
                entry(m, value="12"),
                entry(m, option=female, value="x"),
                entry(m, "deaths", numerator="60", denominator="50"),
            ],
        )
    assert set(refused.value.row_errors) == {key(m.trained, female), key(m.deaths)}
    assert "value" in refused.value.row_errors[key(m.trained, female)].message_dict
    assert "numerator" in refused.value.row_errors[key(m.deaths)].message_dict
    assert not Result.objects.exists()


def test_a_total_and_its_parts_change_together(world):
    """Parts of 12 and 8 would exceed the stored total of 10 if checked one row at a time."""
    m = monitored(world)
    female, male = m.sex.options.get(code="female"), m.sex.options.get(code="male")
    save_all(
        world, m, [entry(m, value="10"), entry(m, option=female, value="5"), entry(m, option=male, value="5")]
    )
    save_all(
        world,
        m,
        [
            entry(m, option=female, version=1, value="12"),
            entry(m, option=male, version=1, value="8"),
            entry(m, version=1, value="20"),
        ],
    )
    assert Result.objects.get(indicator=m.trained.indicator, option=None).value == 20


def test_parts_above_the_total_are_refused_on_the_overall_row(world):
    m = monitored(world)
    female, male = m.sex.options.get(code="female"), m.sex.options.get(code="male")
    with pytest.raises(services.ResultsRejected) as refused:
        save_all(
            world,
            m,
            [entry(m, value="10"), entry(m, option=female, value="8"), entry(m, option=male, value="8")],
        )
    assert list(refused.value.row_errors) == [key(m.trained)]
    assert "more than the total" in str(refused.value.row_errors[key(m.trained)])
    assert not Result.objects.exists()


def test_unchanged_rows_write_nothing(world):
    m = monitored(world)
    save_all(world, m, [entry(m, value="12")])
    events = AuditEvent.objects.count()
    assert save_all(world, m, [entry(m, version=1, value="12"), entry(m, "deaths")]) == 0
    assert AuditEvent.objects.count() == events
    assert Result.objects.get().version == 1


def test_a_concurrent_change_is_a_conflict_never_overwritten(world):
    m = monitored(world)
    save_all(world, m, [entry(m, value="12")])
    save_all(world, m, [entry(m, version=1, value="13")], who=world.coordinator)
    with pytest.raises(services.ResultsRejected) as refused:
        save_all(
            world, m, [entry(m, version=1, value="14"), entry(m, "deaths", numerator="1", denominator="2")]
        )
    assert isinstance(refused.value.row_errors[key(m.trained)], services.VersionConflict)
    assert Result.objects.get().value == 13
    # The same value as stored now is no conflict: the person's page agrees with it.
    assert save_all(world, m, [entry(m, version=1, value="13")]) == 0


# --- the page ---------------------------------------------------------------------------------------------


def page_url(world, action=""):
    return f"/monitoring/{world.partnership.uuid}/{PERIOD}/{action}"


def typed(m, *, trained="", female="", numerator="", denominator="", versions=None):
    """What the entry page's one form posts: every row's fields and the version it was shown with."""
    versions = versions or {}
    f = m.sex.options.get(code="female")
    male = m.sex.options.get(code="male")
    data = {}
    for row, fields in (
        (key(m.trained), {"value": trained}),
        (key(m.trained, f), {"value": female}),
        (key(m.trained, male), {"value": ""}),
        (key(m.deaths), {"numerator": numerator, "denominator": denominator}),
    ):
        data[f"{row}-version"] = versions.get(row, "")
        data[f"{row}-comment"] = ""
        data.update({f"{row}-{name}": value for name, value in fields.items()})
    return data


def test_save_all_saves_every_typed_row(client, world):
    m = monitored(world)
    client.force_login(world.member)
    response = client.post(
        page_url(world, "save/"), typed(m, trained="12", female="7", numerator="4", denominator="50")
    )
    assert response.status_code == 302
    assert Result.objects.count() == 3


def test_a_bad_row_keeps_every_typed_value_with_the_error_beside_its_field(client, world):
    m = monitored(world)
    client.force_login(world.member)
    female = m.sex.options.get(code="female")
    response = client.post(
        page_url(world, "save/"), typed(m, trained="12", female="abc", numerator="4", denominator="50")
    )
    assert response.status_code == 400
    assert not Result.objects.exists()
    html = response.content.decode()
    for shown in ('value="12"', 'value="abc"', 'value="4"', 'value="50"'):
        assert shown in html
    field_id = f"id_{key(m.trained, female)}-value"
    assert f'aria-describedby="{field_id}_error"' in html
    assert f'id="{field_id}_error"' in html
    assert f'href="#{field_id}"' in html  # the summary at the top links to the field
    assert "data-unsaved" in html  # the page warns before it is left: these values are not saved


def test_submit_saves_what_was_typed_then_submits(client, world):
    m = monitored(world)
    client.force_login(world.member)
    response = client.post(
        page_url(world, "submit/"), typed(m, trained="12", numerator="4", denominator="50")
    )
    assert response.status_code == 302
    assert PeriodReport.objects.get().status == PeriodReport.Status.SUBMITTED
    assert Result.objects.count() == 2
    page = client.get(page_url(world))
    assert b"Enter at least one result" not in page.content


def test_submit_with_a_bad_value_keeps_everything_and_submits_nothing(client, world):
    m = monitored(world)
    client.force_login(world.member)
    response = client.post(
        page_url(world, "submit/"), typed(m, trained="12", numerator="60", denominator="50")
    )
    assert response.status_code == 400
    assert b"Enter at least one result" not in response.content
    assert b'value="12"' in response.content and b'value="60"' in response.content
    assert not Result.objects.exists()
    assert not PeriodReport.objects.filter(status=PeriodReport.Status.SUBMITTED).exists()


def test_a_refused_submission_keeps_the_saved_values(client, world):
    """Complete breakdowns must equal the total at submission: the values are saved, the report stays a draft."""
    m = monitored(world)
    m.trained.indicator.breakdown = "complete"
    m.trained.indicator.save(update_fields=["breakdown"])
    client.force_login(world.member)
    response = client.post(page_url(world, "submit/"), typed(m, trained="12", female="5"), follow=True)
    assert Result.objects.count() == 2
    assert PeriodReport.objects.get().status == PeriodReport.Status.DRAFT
    assert b"Your values are saved, but the report is not submitted" in response.content


def test_submitting_nothing_typed_and_nothing_stored_is_still_refused(client, world):
    m = monitored(world)
    client.force_login(world.member)
    response = client.post(page_url(world, "submit/"), typed(m), follow=True)
    assert b"Enter at least one result" in response.content
    assert PeriodReport.objects.get().status == PeriodReport.Status.DRAFT


def test_a_conflict_keeps_the_typed_value_and_saving_again_replaces_knowingly(client, world):
    m = monitored(world)
    services.result_save(
        actor=world.coordinator, plan_indicator=m.trained, period=PERIOD, values={"value": "9"}
    )
    client.force_login(world.member)
    # The member's page was opened before the coordinator saved: it shows no value and no version.
    response = client.post(page_url(world, "save/"), typed(m, trained="12", numerator="4", denominator="50"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "it now reads 9" in html and 'value="12"' in html
    assert f'name="{key(m.trained)}-version" value="1"' in html
    assert Result.objects.count() == 1 and Result.objects.get().value == 9
    again = client.post(
        page_url(world, "save/"),
        typed(m, trained="12", numerator="4", denominator="50", versions={key(m.trained): "1"}),
    )
    assert again.status_code == 302
    assert Result.objects.get(indicator=m.trained.indicator).value == Decimal(12)


def test_a_row_save_without_javascript_keeps_the_other_rows_typed(client, world):
    m = monitored(world)
    client.force_login(world.member)
    response = client.post(
        page_url(world, f"rows/{m.trained.uuid}/total/"),
        typed(m, trained="12", numerator="4", denominator="50"),
    )
    assert response.status_code == 200
    assert Result.objects.count() == 1
    assert b'value="4"' in response.content and b'value="50"' in response.content
    page = lxml.html.fromstring(response.content)
    saved = [row.get("id") for row in page.find_class("entry-row") if row.xpath(".//*[@role='status']")]
    assert saved == [f"row-{key(m.trained)}"]  # the saved row says so at its button; the typed one does not


def test_a_submitted_report_refuses_a_save_and_keeps_the_values(client, world):
    m = monitored(world)
    services.result_save(actor=world.member, plan_indicator=m.trained, period=PERIOD, values={"value": "9"})
    services.report_submit(actor=world.member, partnership=world.partnership, period=PERIOD)
    client.force_login(world.member)
    response = client.post(page_url(world, "save/"), typed(m, trained="12", versions={key(m.trained): "1"}))
    assert response.status_code == 400
    assert b"submitted for review" in response.content
    assert Result.objects.get().value == 9


def test_a_reader_cannot_save_the_page(client, world):
    m = monitored(world)
    client.force_login(world.partnership_viewer)
    assert client.post(page_url(world, "save/"), typed(m, trained="12")).status_code == 403
    client.force_login(world.outsider)
    assert client.post(page_url(world, "save/"), typed(m, trained="12")).status_code == 404
    assert not Result.objects.exists()


def test_one_submit_reports_every_error_of_every_row(client, world):
    """Issue "Work that finds its people": errors came one kind per submit (what is not a number, then a
    negative count, then a breakdown above its total); one submit now names them all and saves nothing."""
    m = monitored(world)
    client.force_login(world.member)
    male = m.sex.options.get(code="male")
    data = typed(m, trained="10", female="11", numerator="abc", denominator="50")
    data[f"{key(m.trained, male)}-value"] = "-5"
    response = client.post(page_url(world, "save/"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a number" in html or "not a number" in html.lower()
    assert "cannot be negative" in html
    assert "more than the total" in html
    assert not Result.objects.exists()


@pytest.mark.parametrize("period", ["1999Q1", "9999Q4", "2030", "2024S1", "202401"])
def test_a_period_that_is_not_a_reporting_period_opens_nothing_and_creates_nothing(client, world, period):
    # Only the periods the results page lists open (quarterly plan here); any other id is 404 on every view.
    m = monitored(world)
    client.force_login(world.member)
    base = f"/monitoring/{world.partnership.uuid}/{period}/"
    assert client.get(base).status_code == 404
    assert client.post(base + "save/", typed(m, trained="12")).status_code == 404
    assert client.post(base + "submit/", typed(m, trained="12")).status_code == 404
    client.force_login(world.manager)
    assert client.get(base).status_code == 404
    assert not PeriodReport.objects.exists()
    assert not Result.objects.exists()
    client.force_login(world.member)
    assert client.get(page_url(world)).status_code == 200


def test_a_conflict_shows_the_stored_answer_as_its_label_and_the_other_persons_comment(client, world):
    """Issue "Work that finds its people": the conflict read "it now reads 1" for a yes/no answer, and a change
    of comment alone was not shown."""
    m = monitored(world)
    services.result_save(
        actor=world.coordinator,
        plan_indicator=m.protocol,
        period="2024",
        values={"value": "1"},
        comment="Signed by the board",
    )
    client.force_login(world.member)
    row = key(m.protocol)
    data = {f"{row}-version": "", f"{row}-comment": "", f"{row}-value": "0"}
    response = client.post(f"/monitoring/{world.partnership.uuid}/2024/save/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "it now reads Yes." in html and "it now reads 1" not in html
    assert "Their comment: Signed by the board" in html


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("es", "Comentario de la otra persona: Signed by the board"),
        ("fr", "Commentaire de l’autre personne\u00a0: Signed by the board"),
        ("ru", "Комментарий другого пользователя: Signed by the board"),
        ("pt", "Comentário da outra pessoa: Signed by the board"),
    ],
)
def test_a_conflict_says_the_comment_is_the_other_persons_in_every_language(client, world, language, said):
    """Issue 15: the Spanish read "Su comentario" (your comment) for the other person's comment."""
    m = monitored(world)
    services.result_save(
        actor=world.coordinator,
        plan_indicator=m.protocol,
        period="2024",
        values={"value": "1"},
        comment="Signed by the board",
    )
    client.force_login(world.member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    row = key(m.protocol)
    data = {f"{row}-version": "", f"{row}-comment": "", f"{row}-value": "0"}
    response = client.post(f"/monitoring/{world.partnership.uuid}/2024/save/", data)
    assert response.status_code == 400
    assert said in response.content.decode()

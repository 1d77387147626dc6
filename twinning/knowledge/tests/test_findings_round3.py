"""The third round of tester findings on the knowledge app, each fixed as a kind: dates of what already happened,
constraint messages, one rule for form and API, search ranking and filters, counts of what is published, the
"setting" of a practice, workflow messages and notices, translated history, honest download counts, charts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from twinning.knowledge.models import DisseminationRecord, Practice, Setting
from twinning.knowledge.tests.spread_factories import DisseminationFactory, practice_of
from twinning.knowledge.tests.test_spread_api import api, record_body
from twinning.knowledge.tests.test_spread_views import record_data

pytestmark = pytest.mark.django_db
URL = "/api/v1/knowledge"
FUTURE = "A dissemination record is of something that already happened"


def _in_a_week() -> str:
    return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


# --- 1. dates of what already happened -------------------------------------------------------------------


def test_the_page_refuses_a_dissemination_dated_in_the_future(client, world):
    client.force_login(world.member)
    url = reverse("knowledge:dissemination_create", args=[world.partnership.uuid])
    response = client.post(url, record_data(date=_in_a_week()))
    assert response.status_code == 400 and FUTURE in response.content.decode()
    assert not DisseminationRecord.objects.exists()


def test_the_api_refuses_a_dissemination_dated_in_the_future_on_create_and_patch(world):
    client = api(world.member)
    response = client.post(
        f"{URL}/dissemination", record_body(world, date=_in_a_week()), content_type="application/json"
    )
    assert response.status_code == 422 and FUTURE in str(response.json())
    saved = DisseminationFactory(partnership=world.partnership)
    patched = client.patch(
        f"{URL}/dissemination/{saved.uuid}",
        {"date": _in_a_week(), "version": saved.version},
        content_type="application/json",
    )
    assert patched.status_code == 422 and FUTURE in str(patched.json())
    saved.refresh_from_db()
    assert saved.date <= timezone.localdate() + datetime.timedelta(days=1)


def test_a_french_reader_is_told_in_french(client, world):
    client.force_login(world.member)
    url = reverse("knowledge:dissemination_create", args=[world.partnership.uuid])
    response = client.post(
        url, record_data(date=_in_a_week(), people_reached="1200"), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400 and "déjà eu lieu" in response.content.decode()


# --- 6. the setting of a practice is where it is carried out, not the settings of an app -------------------


@pytest.mark.parametrize(
    ("language", "setting", "training_sense"),
    [
        ("fr", "Milieu d'intervention", "Type de formation"),
        ("es", "Ámbito", "Tipo de formación"),
        ("ru", "Место применения", "Вид обучения"),
        ("pt", "Contexto", "Tipo de formação"),
    ],
)
def test_the_setting_of_a_practice_is_translated_as_where_it_is_carried_out(
    client, world, language, setting, training_sense
):
    practice = practice_of(world.partnership, setting=Setting.HOSPITAL)
    client.force_login(world.member)
    detail = client.get(reverse("knowledge:detail", args=[practice.uuid]), HTTP_ACCEPT_LANGUAGE=language)
    library = client.get(reverse("knowledge:library"), HTTP_ACCEPT_LANGUAGE=language)
    for page in (detail.content.decode(), library.content.decode()):
        assert setting in page.replace("&#x27;", "'") and training_sense not in page
    assert str(Practice._meta.get_field("setting").verbose_name)


def test_the_glossary_names_the_setting_of_a_practice_in_every_language():
    from pathlib import Path

    glossary = (Path(__file__).resolve().parents[3] / "docs" / "GLOSSARY.md").read_text()
    row = next(line for line in glossary.splitlines() if line.startswith("| setting (of a practice"))
    assert all(word in row for word in ("milieu d'intervention", "ámbito", "место применения", "contexto"))


# --- 5. programme figures count what is published, whoever reads ---------------------------------------------


def _published_and_unpublished_adoptions(world):
    from twinning.knowledge.models import Level
    from twinning.knowledge.tests.spread_factories import AdoptionFactory

    published = practice_of(world.partnership, status=Practice.Status.PROGRAMME, title="Published")
    AdoptionFactory(practice=published, level=Level.ADOPTED, country="KE")
    for status in (Practice.Status.DRAFT, Practice.Status.SUBMITTED, Practice.Status.WITHDRAWN):
        hidden = practice_of(world.partnership, status=status, title=f"Not published: {status}")
        AdoptionFactory(practice=hidden, site_kind="country", area="", country="TZ", level=Level.NATIONAL)


@pytest.mark.parametrize("role", ["manager", "member", "programme_viewer"])
def test_pillar5_figures_count_only_published_practices_for_every_reader(world, role):
    from twinning.knowledge.spread.selectors import pillar5_figures, programme_spread

    _published_and_unpublished_adoptions(world)
    user = getattr(world, role)
    figures = pillar5_figures(user=user, programme=world.programme)
    assert figures.practices_published == 1
    assert figures.national_adoptions == 0 and figures.national_practices == 0
    assert sum(figures.by_level.values()) == 1 and figures.by_level["adopted"] == 1
    spread = programme_spread(user=user, programme=world.programme)
    assert spread.total == 1 and spread.national == [] and list(spread.by_country) == ["KE"]


def test_the_dashboard_and_api_show_the_same_published_figures_to_staff(client, world):
    _published_and_unpublished_adoptions(world)
    client.force_login(world.manager)
    dashboard = client.get(reverse("monitoring:programme", args=[world.programme.uuid])).content.decode()
    assert '<dd id="pillar5-published">1</dd>' in dashboard
    assert "0 adoptions, of 0 practices" in dashboard
    figures = api(world.manager).get(f"{URL}/programmes/{world.programme.uuid}/pillar5").json()
    assert figures["national_adoptions"] == 0 and figures["practices_published"] == 1


# --- 9. download counts are readers' downloads ----------------------------------------------------------------


@pytest.fixture
def public_file(world):
    from twinning.knowledge.tests.test_views import _practice_with_file

    practice = _practice_with_file(world, Practice.Status.PUBLIC, "Counted toolkit")
    practice.author = world.member
    practice.save(update_fields=["author"])
    from twinning.knowledge.models import DocumentVersion

    version = DocumentVersion.objects.get(document__practice=practice)
    return practice, version, reverse("practices:download", args=[practice.uuid, version.uuid])


def _count(version) -> int:
    version.refresh_from_db()
    return version.downloads


def test_a_reader_downloading_twice_in_a_day_counts_once(client, public_file):
    _practice, version, url = public_file
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert _count(version) == 1
    other_browser = type(client)()
    other_browser.get(url)
    assert _count(version) == 2


@pytest.mark.parametrize(
    "agent",
    [
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0)",
        "Some Crawler 1.0",
        "Baiduspider",
    ],
)
def test_robots_are_not_counted(client, public_file, agent):
    _practice, version, url = public_file
    assert client.get(url, HTTP_USER_AGENT=agent).status_code == 200
    assert _count(version) == 0


def test_a_range_continuation_is_not_counted_but_a_range_from_the_start_is(client, public_file):
    _practice, version, url = public_file
    client.get(url, HTTP_RANGE="bytes=500-")
    assert _count(version) == 0
    client.get(url, HTTP_RANGE="bytes=0-")
    assert _count(version) == 1


def test_head_is_not_counted(client, world, public_file):
    practice, version, _url = public_file
    client.force_login(world.programme_viewer)
    url = reverse("knowledge:download", args=[practice.uuid, version.uuid])
    client.head(url)
    assert _count(version) == 0
    client.get(url)
    assert _count(version) == 1


@pytest.mark.parametrize("role", ["member", "manager", "admin"])
def test_the_author_staff_and_administrators_are_not_counted(client, world, public_file, role):
    practice, version, _url = public_file
    client.force_login(getattr(world, role))  # member: the author; admin: also the uploader
    client.get(reverse("knowledge:download", args=[practice.uuid, version.uuid]))
    api(getattr(world, role)).get(f"{URL}/practices/{practice.uuid}/files/{version.uuid}")
    assert _count(version) == 0


def test_an_api_reader_counts_once_a_day(world, public_file):
    practice, version, _url = public_file
    reader = api(world.programme_viewer)
    for _n in range(3):
        assert reader.get(f"{URL}/practices/{practice.uuid}/files/{version.uuid}").status_code == 200
    assert _count(version) == 1


# --- 8. the history speaks the reader's language -------------------------------------------------------------


def test_a_russian_practice_history_names_languages_countries_pillars_and_fields_in_russian(client, world):
    import re

    from twinning.knowledge import services

    pillar = world.programme.pillars.create(
        code="knowledge", name="Expanding knowledge through dissemination of successful programmes", order=5
    )
    practice = services.practice_create(
        actor=world.member,
        partnerships=[world.partnership],
        title="Bundle",
        summary="What we learned.",
        setting=Setting.HOSPITAL,
        language="en",
    )
    services.practice_update(
        actor=world.member,
        practice=practice,
        data={"language": "fr", "countries": ["UG"], "pillars": [pillar], "setting": Setting.SCHOOL},
    )
    client.force_login(world.manager)
    html = client.get(reverse("knowledge:detail", args=[practice.uuid]), HTTP_ACCEPT_LANGUAGE="ru")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.content.decode()))
    assert "английский → французский" in text
    assert "Уганда" in text and " UG " not in text
    assert "Expanding knowledge" not in text
    assert "программа :" in text and "programme :" not in text
    assert "Больница → Учебное заведение" in text


# --- 2. constraints speak plainly; one district is one site however its name is typed -------------------------


def _adoption_body(**overrides):
    return {
        "site_kind": "district",
        "area": "Gulu",
        "country": "UG",
        "level": "piloting",
        "reached_on": "2025-02-01",
        "led_by": "host",
        **overrides,
    }


@pytest.mark.parametrize("typed", ["gulu", "  GULU ", "Gulu"])
def test_a_district_typed_differently_is_the_same_site_on_the_page(client, world, typed):
    from twinning.knowledge.models import Adoption

    practice = practice_of(world.partnership)
    client.force_login(world.member)
    url = reverse("knowledge:adoption_create", args=[practice.uuid])
    assert client.post(url, _adoption_body()).status_code == 302
    response = client.post(url, _adoption_body(area=typed))
    html = response.content.decode()
    assert response.status_code == 400 and "already adopts the practice" in html
    assert "Constraint" not in html and "adoption_once_per_area" not in html
    assert Adoption.objects.count() == 1


def test_a_district_typed_differently_is_the_same_site_in_the_api(world):
    practice = practice_of(world.partnership)
    client = api(world.member)
    url = f"{URL}/adoptions"
    first = client.post(
        url,
        _adoption_body(practice=str(practice.uuid), area="  North   Gulu "),
        content_type="application/json",
    )
    assert first.status_code == 201, first.json()
    assert first.json()["area"] == "North Gulu"
    again = client.post(
        url, _adoption_body(practice=str(practice.uuid), area="north gulu"), content_type="application/json"
    )
    assert again.status_code == 422 and "already adopts the practice" in str(again.json())
    assert "adoption_once_per_area" not in str(again.json())


def test_the_same_institution_twice_is_told_plainly(world):
    from twinning.testing.factories import InstitutionFactory

    practice = practice_of(world.partnership)
    hospital = InstitutionFactory()
    client = api(world.member)
    url = f"{URL}/adoptions"
    body = _adoption_body(
        practice=str(practice.uuid), site_kind="institution", area="", institution=str(hospital.uuid)
    )
    assert client.post(url, body, content_type="application/json").status_code == 201
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 422 and "This institution already adopts the practice" in str(again.json())


def test_a_level_recorded_twice_says_which_and_what_to_do(client, world):
    from twinning.knowledge.models import Level
    from twinning.knowledge.tests.spread_factories import AdoptionFactory

    adoption = AdoptionFactory(practice=practice_of(world.partnership), level=Level.PILOTING)
    client.force_login(world.member)
    response = client.post(
        reverse("knowledge:adoption_level_add", args=[adoption.uuid]),
        {"level": "piloting", "reached_on": "2025-03-01"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "Piloting is already recorded for this site (reached on" in html and "remove it and record it" in html
    )


def test_every_model_constraint_says_what_went_wrong_in_the_readers_language():
    from django.apps import apps
    from django.db.models import BaseConstraint
    from django.utils.translation import override

    default = BaseConstraint.default_violation_error_message
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("twinning."):
            continue
        for constraint in model._meta.constraints:
            message = constraint.violation_error_message
            if message == default or not constraint.violation_error_code:
                missing.append(f"{model._meta.label}.{constraint.name}")
                continue
            with override("en"):
                english = str(message)
            for language in ("fr", "es", "ru", "pt"):
                with override(language):
                    assert str(message) != english, (constraint.name, language, "not translated")
    assert not missing, missing


# --- 7. the workflow says which step comes first, and tells the author of each step ----------------------------

S = Practice.Status


def test_a_manager_publishing_a_submission_publicly_is_told_to_publish_it_in_the_programme_first(
    client, world
):
    practice = practice_of(world.partnership, status=S.SUBMITTED)
    client.force_login(world.manager)
    response = client.post(
        reverse("knowledge:move", args=[practice.uuid]), {"to_status": "public", "comment": "ok"}
    )
    assert response.status_code == 403
    assert "A submitted practice is published in the programme first" in response.content.decode()
    answer = api(world.manager).post(
        f"{URL}/practices/{practice.uuid}/steps",
        {"to_status": "public", "comment": "ok"},
        content_type="application/json",
    )
    assert answer.status_code == 403 and "published in the programme first" in answer.json()["detail"]
    assert Practice.objects.get(pk=practice.pk).status == S.SUBMITTED


@pytest.mark.parametrize(
    ("status", "to", "says"),
    [
        (S.DRAFT, S.PUBLIC, "A draft is submitted for review first"),
        (S.WITHDRAWN, S.PROGRAMME, "reopened as a draft first"),
        (S.PUBLIC, S.SUBMITTED, "A public practice is withdrawn first"),
    ],
)
def test_other_skipped_steps_say_what_comes_first(world, status, to, says):
    practice = practice_of(world.partnership, status=status)
    answer = api(world.manager).post(
        f"{URL}/practices/{practice.uuid}/steps",
        {"to_status": to, "comment": "ok"},
        content_type="application/json",
    )
    assert answer.status_code == 403 and says in answer.json()["detail"]


def test_the_author_is_told_of_each_step_in_their_own_language(world):
    from twinning.accounts.models import Notification
    from twinning.knowledge import services

    world.member.language = "fr"
    world.member.save(update_fields=["language"])
    practice = services.practice_create(
        actor=world.member, partnerships=[world.partnership], title="Bundle", summary="What we learned."
    )
    services.practice_move(actor=world.member, practice=practice, to_status=S.SUBMITTED)
    assert not Notification.objects.filter(user=world.member).exists()  # their own step
    services.practice_move(
        actor=world.manager, practice=practice, to_status=S.DRAFT, comment="Add the costs."
    )
    services.practice_move(actor=world.member, practice=practice, to_status=S.SUBMITTED)
    services.practice_move(
        actor=world.manager, practice=practice, to_status=S.PROGRAMME, comment="Good work."
    )
    notices = list(Notification.objects.filter(user=world.member).order_by("id"))
    assert len(notices) == 2
    with translation.override("fr"):  # worded when read, in the reader's language
        assert (
            notices[0].shown_message
            == "Votre pratique « Bundle »\u00a0: Soumise pour examen → Brouillon. Add the costs."
        )
        assert (
            "Publiée dans le programme" in notices[1].shown_message
            and "Good work." in notices[1].shown_message
        )
    assert notices[1].url == reverse("knowledge:detail", args=[practice.uuid])


# --- 3. the API and the form hold the institutions and contact person behind a practice to one rule ------------


def _side_institution(world):
    from twinning.partnerships.models import PartnershipInstitution

    return PartnershipInstitution.objects.filter(partnership=world.partnership).first().institution


def test_the_api_refuses_institutions_and_a_contact_person_from_outside_the_partnerships(world):
    from twinning.testing.factories import InstitutionFactory, PersonFactory

    practice = practice_of(world.partnership, status=S.DRAFT)
    client = api(world.member)
    stranger = InstitutionFactory()
    answer = client.patch(
        f"{URL}/practices/{practice.uuid}",
        {"institutions": [str(stranger.uuid)], "version": practice.version},
        content_type="application/json",
    )
    assert answer.status_code == 422 and "on a side of the practice" in str(answer.json())
    outsider = PersonFactory(institution=stranger)
    answer = client.patch(
        f"{URL}/practices/{practice.uuid}",
        {"contact_person": str(outsider.uuid), "version": practice.version},
        content_type="application/json",
    )
    assert answer.status_code == 422 and "contact person who works at" in str(answer.json())
    practice.refresh_from_db()
    assert practice.contact_person is None and not practice.institutions.exists()


def test_the_form_refuses_the_same_institution_with_the_same_message(client, world):
    from twinning.knowledge import services
    from twinning.testing.factories import PartnershipFactory

    # An institution of another partnership the member works in: the form offers it, the rule refuses it here.
    other = PartnershipFactory(programme=world.programme)
    from twinning.accounts.models import PartnershipMembership

    PartnershipMembership.objects.create(partnership=other, user=world.member, role="member")
    elsewhere = other.side_links.first().institution
    assert elsewhere != _side_institution(world)
    practice = services.practice_create(
        actor=world.member, partnerships=[world.partnership], title="Bundle", summary="S"
    )
    client.force_login(world.member)
    page = client.get(reverse("knowledge:edit", args=[practice.uuid])).content.decode()
    form = {
        "title": "Bundle",
        "summary": "S",
        "language": "en",
        "partnerships": [str(world.partnership.uuid)],
        "institutions": [str(elsewhere.uuid)],
        "version": practice.version,
    }
    assert str(elsewhere.uuid) in page
    response = client.post(reverse("knowledge:edit", args=[practice.uuid]), form)
    assert response.status_code == 400 and "on a side of the practice" in response.content.decode()


def test_the_contact_person_is_patched_and_cleared_through_the_api(world):
    from twinning.testing.factories import PersonFactory

    practice = practice_of(world.partnership, status=S.DRAFT)
    person = PersonFactory(institution=_side_institution(world))
    client = api(world.member)
    answer = client.patch(
        f"{URL}/practices/{practice.uuid}",
        {"contact_person": str(person.uuid), "version": practice.version},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.json()
    practice.refresh_from_db()
    assert practice.contact_person == person
    cleared = client.patch(
        f"{URL}/practices/{practice.uuid}",
        {"contact_person": None, "version": practice.version},
        content_type="application/json",
    )
    assert cleared.status_code == 200, cleared.json()
    practice.refresh_from_db()
    assert practice.contact_person is None


# --- 4. search: a title match first, its snippet marked; filters that name nothing are refused -----------------


def test_a_title_match_ranks_above_a_document_full_of_the_word(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from twinning.knowledge import services
    from twinning.knowledge.samples import pdf_bytes
    from twinning.knowledge.search import search
    from twinning.knowledge.tests.factories import PracticeFactory

    noisy = PracticeFactory(partnership=world.partnership, title="Ward rounds", summary="Partograph " * 40)
    services.document_create(
        actor=world.admin,
        practice=noisy,
        title="Checklist",
        type="toolkit",
        language="en",
        file=SimpleUploadedFile("c.pdf", pdf_bytes("Checklist", ["partograph partograph partograph " * 30])),
    )
    titled = PracticeFactory(
        partnership=world.partnership,
        title="Partograph use in labour wards",
        summary="Midwives chart every labour on a partograph, with a long summary " + "about labour " * 60,
    )
    results = search(user=world.member, text="partograph")
    assert results.hits[0].practice == titled and results.hits[0].version is None
    assert "<mark>" in str(results.hits[0].snippet)


def test_a_snippet_matched_by_stem_only_is_marked_too(world):
    from twinning.knowledge.search import _mark_words

    marked = _mark_words("Les formations des sages-femmes", "formation")
    assert "\x02formations\x03" in marked
    assert _mark_words("already \x02marked\x03", "other") == "already \x02marked\x03"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("pillar=999", "pillar"),
        ("country=XX", "country"),
        ("health_area=nothing", "health_area"),
        ("setting=moon", "setting"),
        ("document_type=poem", "document_type"),
        ("language=zz", "language"),
    ],
)
def test_the_search_api_answers_422_for_a_filter_naming_nothing(world, query, field):
    answer = api(world.member).get(f"{URL}/search?q=care&{query}")
    assert answer.status_code == 422, answer.json()
    assert field in str(answer.json())


def test_the_practice_list_api_answers_422_for_an_unknown_pillar(world):
    answer = api(world.member).get(f"{URL}/practices?pillar=999")
    assert answer.status_code == 422 and "999" in str(answer.json())


@pytest.mark.parametrize("url_name", ["knowledge:library", "practices:list"])
def test_the_pages_say_which_filter_names_nothing(client, world, url_name):
    practice_of(world.partnership, status=S.PUBLIC, title="Visible anyway")
    client.force_login(world.member)
    response = client.get(reverse(url_name), {"q": "care", "pillar": "999", "country": "XX"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "No pillar has the code “999”." in html and "XX is not an ISO 3166 country code." in html
    listing = client.get(reverse(url_name), {"pillar": "999"})
    assert listing.status_code == 400 and "Visible anyway" not in listing.content.decode()


# --- 10. charts: nothing clipped, and the time axis is dated --------------------------------------------------


def _texts(svg: str) -> list[tuple[float, str]]:
    import re

    return [
        (float(x), re.sub(r"<title>.*?</title>", "", body))
        for x, body in re.findall(r'<text x="([\d.]+)"[^>]*>(.*?)</text>', svg)
    ]


def test_the_adopters_over_time_chart_has_dated_axis_labels_within_one_year(client, world):
    from twinning.core import charts

    svg = str(
        charts.timeline_chart(
            [("Gulu", [(datetime.date(2025, 2, 1), 0), (datetime.date(2025, 6, 1), 1)])],
            title="t",
            steps=["Adapting", "Piloting"],
            end=datetime.date(2025, 9, 30),
        )
    )
    labels = [text for _x, text in _texts(svg)]
    assert any("2025" in text for text in labels[2:]), labels  # month labels under the bands


def test_the_spread_page_chart_in_russian_labels_its_dates_and_keeps_its_legend_inside(client, world):
    import re

    from twinning.knowledge.models import Level
    from twinning.knowledge.tests.spread_factories import AdoptionFactory

    practice = practice_of(world.partnership)
    AdoptionFactory(practice=practice, level=Level.PILOTING, level__reached_on=timezone.localdate())
    client.force_login(world.member)
    html = client.get(
        reverse("knowledge:practice_spread", args=[practice.uuid]), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    svg = re.search(r'<svg[^>]*aria-label="[^"]*"[^>]*>.*?</svg>', html, re.S).group(0)
    width = float(re.search(r'width="(\d+)"', svg).group(1))
    texts = _texts(svg)
    for x, text in texts:
        assert x + len(text) * 10 * 0.62 <= width + 1 or x < 200, (x, text)  # legend keys and axis labels fit
    assert any(re.search(r"20\d\d", text) for _x, text in texts), texts


def test_a_long_row_label_wraps_within_its_room_with_the_full_label_as_tooltip():
    import re

    from twinning.core import charts

    svg = str(charts.bar_chart([("National policy, guideline or curriculum", [3])], title="t"))
    assert "<title>National policy, guideline or curriculum</title>" in svg
    lines = re.findall(r'<tspan x="[\d.]+" y="[\d.]+">([^<]*)</tspan>', svg)
    assert " ".join(lines) == "National policy, guideline or curriculum"
    assert all(len(line) * 12 * 0.62 <= 130 - 6 for line in lines)

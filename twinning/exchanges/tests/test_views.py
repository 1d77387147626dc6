import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.core.choices import Side
from twinning.exchanges.models import Exchange, MentoringSession, Participant, TraineeGroup
from twinning.exchanges.tests.factories import (
    ExchangeFactory,
    MentoringPairFactory,
    ParticipantFactory,
    TraineeGroupFactory,
    side_person,
)

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    return {
        "title": "ICU nursing visit",
        "type": "site_visit",
        "direction": "resource_to_host",
        "status": "completed",
        "start_date": "2025-04-01",
        "end_date": "2025-04-05",
        "place": "Gulu",
        "country": "ug",
        **overrides,
    }


def test_member_logs_an_exchange_with_a_report_file(client, world):
    client.force_login(world.member)
    url = reverse("exchanges:create", args=[world.partnership.uuid])
    data = form_data(report_file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 findings"))
    response = client.post(url, data)
    exchange = Exchange.objects.get()
    assert response.status_code == 302
    assert exchange.days == 5 and exchange.country == "UG"
    download = client.get(reverse("exchanges:report", args=[world.partnership.uuid, exchange.uuid]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 findings"
    assert "attachment" in download["Content-Disposition"]


def test_bad_dates_show_a_message_and_save_nothing(client, world):
    client.force_login(world.member)
    response = client.post(
        reverse("exchanges:create", args=[world.partnership.uuid]), form_data(end_date="2025-03-01")
    )
    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()
    assert not Exchange.objects.exists()


def test_a_refused_exchange_keeps_what_was_typed_and_asks_for_the_file_again(client, world):
    client.force_login(world.member)
    data = form_data(
        title="Theatre nursing exchange",
        end_date="2025-03-01",
        report_file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 findings"),
    )
    response = client.post(reverse("exchanges:create", args=[world.partnership.uuid]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Theatre nursing exchange"' in html
    assert 'id="id_report_file_error"' in html and "Choose this file again" in html
    assert not Exchange.objects.exists()


def test_executable_report_is_refused(client, world):
    client.force_login(world.member)
    data = form_data(report_file=SimpleUploadedFile("tool.exe", b"MZ"))
    response = client.post(reverse("exchanges:create", args=[world.partnership.uuid]), data)
    assert response.status_code == 400
    assert not Exchange.objects.exists()


def test_outsider_cannot_download_a_trip_report(client, world):
    exchange = ExchangeFactory(
        partnership=world.partnership, report_file=SimpleUploadedFile("r.pdf", b"%PDF-1.4 secret")
    )
    client.force_login(world.other_coordinator)
    url = reverse("exchanges:report", args=[world.partnership.uuid, exchange.uuid])
    assert client.get(url).status_code == 404


def test_exchange_of_another_partnership_is_not_found_under_this_one(client, world):
    other = ExchangeFactory(partnership=world.other_partnership)
    client.force_login(world.manager)
    assert (
        client.get(reverse("exchanges:detail", args=[world.partnership.uuid, other.uuid])).status_code == 404
    )


def test_participants_are_added_with_htmx_and_person_days_follow(client, world):
    exchange = ExchangeFactory(partnership=world.partnership)
    person = side_person(world.partnership, Side.RESOURCE, full_name="Dr Ama Owusu")
    client.force_login(world.member)
    url = reverse("exchanges:participant_add", args=[world.partnership.uuid, exchange.uuid])
    response = client.post(
        url,
        {"person": person.uuid, "role": "traveller", "sex": "female", "setting": "in_service"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dr Ama Owusu" in body and "5 person-days" in body
    assert Participant.objects.get().side == Side.RESOURCE


def test_viewer_cannot_add_participants(client, world):
    exchange = ExchangeFactory(partnership=world.partnership)
    person = side_person(world.partnership)
    client.force_login(world.partnership_viewer)
    url = reverse("exchanges:participant_add", args=[world.partnership.uuid, exchange.uuid])
    assert (
        client.post(
            url, {"person": person.uuid, "role": "host", "sex": "unknown", "setting": "in_service"}
        ).status_code
        == 403
    )
    assert not Participant.objects.exists()


def test_unnamed_trainees_are_counted(client, world):
    exchange = ExchangeFactory(partnership=world.partnership, type="training")
    client.force_login(world.coordinator)
    url = reverse("exchanges:trainee_add", args=[world.partnership.uuid, exchange.uuid])
    client.post(url, {"cadre": "nurse", "sex": "female", "setting": "pre_service", "count": "14"})
    assert TraineeGroup.objects.get().count == 14


def test_edit_keeps_days_in_step(client, world):
    exchange = ExchangeFactory(partnership=world.partnership)
    client.force_login(world.member)
    url = reverse("exchanges:edit", args=[world.partnership.uuid, exchange.uuid])
    response = client.post(
        url, form_data(start_date="2025-04-01", end_date="2025-04-30", version=exchange.version)
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.days == 30


def test_stale_edit_is_refused_with_a_message(client, world):
    exchange = ExchangeFactory(partnership=world.partnership, version=3)
    client.force_login(world.member)
    url = reverse("exchanges:edit", args=[world.partnership.uuid, exchange.uuid])
    response = client.post(url, form_data(version=2))
    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()


def test_list_query_count_does_not_grow_with_rows(client, world):
    client.force_login(world.member)
    url = reverse("exchanges:list", args=[world.partnership.uuid])
    ExchangeFactory(partnership=world.partnership)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(8):
        ParticipantFactory(exchange=ExchangeFactory(partnership=world.partnership))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert response.content.decode().count("<tr>") == 1 + 9


def test_summary_pages_render(client, world):
    training = ExchangeFactory(partnership=world.partnership, type="training")
    TraineeGroupFactory(exchange=training, count=9)
    client.force_login(world.partnership_viewer)
    page = client.get(reverse("exchanges:summary", args=[world.partnership.uuid]))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert 'id="total-trained">9<' in page.content.decode()
    client.force_login(world.finance)
    page = client.get(reverse("exchanges:programme_summary", args=[world.programme.uuid]))
    assert page.status_code == 200 and world.partnership.title in page.content.decode()


def test_partnership_member_does_not_see_the_programme_summary(client, world):
    client.force_login(world.coordinator)
    assert client.get(reverse("exchanges:programme_summary", args=[world.programme.uuid])).status_code == 404


def test_mentoring_pair_and_session_log(client, world):
    mentor = side_person(world.partnership, Side.HOST, full_name="Sr Grace Akello")
    mentee = side_person(world.partnership, Side.RESOURCE, full_name="Tom Reid")
    client.force_login(world.member)
    response = client.post(
        reverse("exchanges:mentoring_create", args=[world.partnership.uuid]),
        {"mentor": mentor.uuid, "mentee": mentee.uuid, "goals": "Learn task sharing", "status": "active"},
    )
    assert response.status_code == 302
    pair = world.partnership.mentoring_pairs.get()
    assert pair.mentor_side == Side.HOST  # host mentoring the resource side is fine
    url = reverse("exchanges:session_add", args=[world.partnership.uuid, pair.uuid])
    client.post(url, {"date": "2025-05-02", "mode": "remote", "duration_minutes": "50", "notes": "Rota"})
    assert MentoringSession.objects.get().duration_minutes == 50
    page = client.get(reverse("exchanges:mentoring_list", args=[world.partnership.uuid]))
    assert "Sr Grace Akello" in page.content.decode()


def test_mentoring_pair_on_one_side_is_refused(client, world):
    a, b = side_person(world.partnership, Side.HOST), side_person(world.partnership, Side.HOST)
    client.force_login(world.member)
    response = client.post(
        reverse("exchanges:mentoring_create", args=[world.partnership.uuid]),
        {"mentor": a.uuid, "mentee": b.uuid, "status": "active"},
    )
    assert response.status_code == 400
    assert "other side" in response.content.decode()


def test_cascade_page_renders_nested_trainees(client, world):
    p = world.partnership
    trainer = side_person(p, Side.RESOURCE, full_name="Ann Trainer")
    tot = side_person(p, Side.HOST, full_name="Ben Trainee")
    first = ExchangeFactory(partnership=p, type="training", start_date=datetime.date(2025, 1, 1))
    Participant.objects.create(exchange=first, person=trainer, side=Side.RESOURCE, role="trainer")
    Participant.objects.create(exchange=first, person=tot, side=Side.HOST, role="trainee")
    client.force_login(world.programme_viewer)
    body = client.get(reverse("exchanges:cascade", args=[p.uuid])).content.decode()
    assert body.index("Ann Trainer") < body.index("Ben Trainee")


def test_mentoring_detail_of_another_partnership_is_hidden(client, world):
    pair = MentoringPairFactory(partnership=world.other_partnership)
    client.force_login(world.coordinator)
    url = reverse("exchanges:mentoring_detail", args=[world.partnership.uuid, pair.uuid])
    assert client.get(url).status_code == 404


def test_a_participant_added_without_a_setting_keeps_it_unset(client, world):
    """Issue 9: the form offers "Not recorded" first and stores nothing when the user picks nothing."""
    exchange = ExchangeFactory(partnership=world.partnership)
    person = side_person(world.partnership, Side.HOST)
    client.force_login(world.member)
    url = reverse("exchanges:participant_add", args=[world.partnership.uuid, exchange.uuid])
    page = client.get(reverse("exchanges:detail", args=[world.partnership.uuid, exchange.uuid]))
    assert 'value="in_service" selected' not in page.content.decode()
    response = client.post(
        url, {"person": person.uuid, "role": "traveller", "sex": "unknown"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert Participant.objects.get().setting == ""

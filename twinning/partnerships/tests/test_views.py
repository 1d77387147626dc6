import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from twinning.accounts.models import PartnershipMembership, User
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record
from twinning.core.pagination import HISTORY_PAGE_SIZE
from twinning.partnerships.models import Partnership, Stage, StageChange, Stakeholder
from twinning.testing.factories import InstitutionFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def detail_url(p: Partnership, name: str = "detail", *args: object) -> str:
    return reverse(f"partnerships:{name}", args=[p.uuid, *args])


class TestList:
    def test_member_sees_only_their_partnerships(self, client, world):
        client.force_login(world.coordinator)
        response = client.get(reverse("partnerships:list"))
        assert response.status_code == 200
        assert world.partnership.title in response.text
        assert world.other_partnership.title not in response.text

    def test_programme_staff_see_every_partnership_of_their_programme(self, client, world):
        extra = PartnershipFactory(programme=world.programme, title="Second of the programme")
        client.force_login(world.programme_viewer)
        response = client.get(reverse("partnerships:list"))
        assert extra.title in response.text and world.partnership.title in response.text
        assert world.other_partnership.title not in response.text

    def test_filters_by_stage_and_search(self, client, world):
        PartnershipFactory(programme=world.programme, title="Cardiology twin", stage=Stage.GRADUATED)
        client.force_login(world.manager)
        response = client.get(reverse("partnerships:list"), {"stage": "graduated"})
        assert "Cardiology twin" in response.text and world.partnership.title not in response.text
        response = client.get(reverse("partnerships:list"), {"q": "cardio"})
        assert "Cardiology twin" in response.text

    def test_htmx_request_gets_only_the_results(self, client, world):
        client.force_login(world.manager)
        response = client.get(reverse("partnerships:list"), HTTP_HX_REQUEST="true")
        assert response.text.lstrip().startswith('<div id="results">')

    def test_query_count_does_not_grow_with_rows(self, client, world, django_assert_max_num_queries):
        client.force_login(world.manager)
        url = reverse("partnerships:list")
        client.get(url)  # warm caches (content types, sessions)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get(url)
        PartnershipFactory.create_batch(15, programme=world.programme)
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(many) == len(few)

    def test_anonymous_is_sent_to_sign_in(self, client, world):
        response = client.get(reverse("partnerships:list"))
        assert response.status_code == 302 and reverse("login") in response["Location"]


class TestCreate:
    def form_data(self, programme, host, resource, **extra):
        return {
            "programme": str(programme.uuid),
            "title": "Emergency care twinning",
            "shared_goal": "Halve door-to-needle time",
            "start_date": "2026-01-01",
            "end_date": "2028-12-31",
            "stage": "scoping",
            "hosts": [str(host.uuid)],
            "resources": [str(resource.uuid)],
            **extra,
        }

    def test_manager_creates_a_partnership_with_both_sides(self, client, world):
        host, resource = InstitutionFactory(), InstitutionFactory(country="CA")
        client.force_login(world.manager)
        response = client.post(
            reverse("partnerships:create"), self.form_data(world.programme, host, resource)
        )
        partnership = Partnership.objects.get(title="Emergency care twinning")
        assert response.status_code == 302 and response["Location"] == detail_url(partnership)
        assert set(partnership.side_links.values_list("institution_id", "side")) == {
            (host.pk, "host"),
            (resource.pk, "resource"),
        }
        assert StageChange.objects.filter(partnership=partnership, stage="scoping").exists()
        assert AuditEvent.objects.filter(target_id=str(partnership.pk), action="create").exists()

    def test_end_before_start_is_refused_and_nothing_written(self, client, world):
        host, resource = InstitutionFactory(), InstitutionFactory()
        client.force_login(world.manager)
        before = Partnership.objects.count()
        response = client.post(
            reverse("partnerships:create"),
            self.form_data(world.programme, host, resource, start_date="2027-01-01", end_date="2026-01-01"),
        )
        assert response.status_code == 400
        assert "cannot end before it starts" in response.text
        assert Partnership.objects.count() == before

    def test_same_institution_on_both_sides_is_refused(self, client, world):
        host = InstitutionFactory()
        client.force_login(world.manager)
        response = client.post(reverse("partnerships:create"), self.form_data(world.programme, host, host))
        assert response.status_code == 400
        assert "both sides" in response.text

    def test_programme_viewer_and_coordinator_may_not_create(self, client, world):
        for user in (world.programme_viewer, world.coordinator, world.finance):
            client.force_login(user)
            assert client.get(reverse("partnerships:create")).status_code == 403

    def test_manager_cannot_create_in_a_programme_they_do_not_run(self, client, world):
        host, resource = InstitutionFactory(), InstitutionFactory()
        client.force_login(world.manager)
        data = self.form_data(world.other_partnership.programme, host, resource)
        response = client.post(reverse("partnerships:create"), data)
        assert response.status_code == 400
        assert not Partnership.objects.filter(title="Emergency care twinning").exists()


class TestDetailAndEdit:
    def test_outsider_gets_404(self, client, world):
        client.force_login(world.outsider)
        assert client.get(detail_url(world.partnership)).status_code == 404
        client.force_login(world.other_coordinator)
        assert client.get(detail_url(world.partnership)).status_code == 404

    def test_member_reads_but_may_not_edit(self, client, world):
        client.force_login(world.member)
        response = client.get(detail_url(world.partnership))
        assert response.status_code == 200 and world.partnership.title in response.text
        assert client.get(detail_url(world.partnership, "edit")).status_code == 403
        assert (
            client.post(
                detail_url(world.partnership, "stage"), {"stage": "matching", "version": 1}
            ).status_code
            == 403
        )

    def test_coordinator_edits_and_history_shows_it(self, client, world):
        p = world.partnership
        hosts = [str(link.institution.uuid) for link in p.side_links.filter(side="host")]
        resources = [str(link.institution.uuid) for link in p.side_links.filter(side="resource")]
        client.force_login(world.coordinator)
        response = client.post(
            detail_url(p, "edit"),
            {
                "title": "Renamed",
                "shared_goal": "",
                "version": p.version,
                "hosts": hosts,
                "resources": resources,
            },
        )
        assert response.status_code == 302
        p.refresh_from_db()
        assert p.title == "Renamed" and p.version == 2
        page = client.get(detail_url(p))
        assert (
            "Renamed" in page.text and escape(str(world.coordinator)) in page.text
        )  # the history names the actor

    def test_stale_version_is_refused_without_overwriting(self, client, world):
        p = world.partnership
        hosts = [str(link.institution.uuid) for link in p.side_links.filter(side="host")]
        resources = [str(link.institution.uuid) for link in p.side_links.filter(side="resource")]
        client.force_login(world.coordinator)
        data = {"title": "First", "version": 1, "hosts": hosts, "resources": resources}
        assert client.post(detail_url(p, "edit"), data).status_code == 302
        response = client.post(detail_url(p, "edit"), {**data, "title": "Second"})
        assert response.status_code == 400 and "Someone else changed" in response.text
        p.refresh_from_db()
        assert p.title == "First"

    def test_stage_change_is_dated_and_audited(self, client, world):
        StageChange.objects.create(
            partnership=world.partnership, stage="scoping", changed_on=datetime.date(2026, 1, 5)
        )
        client.force_login(world.manager)
        response = client.post(
            detail_url(world.partnership, "stage"),
            {"stage": "agreement", "changed_on": "2026-02-01", "note": "MoU drafted", "version": 1},
        )
        assert response.status_code == 302
        change = StageChange.objects.get(partnership=world.partnership, stage="agreement")
        assert change.changed_on == datetime.date(2026, 2, 1) and change.note == "MoU drafted"
        assert AuditEvent.objects.filter(action="stage", reason="MoU drafted").exists()

    def test_stage_dated_before_the_last_change_is_refused(self, client, world):
        StageChange.objects.create(
            partnership=world.partnership, stage="scoping", changed_on=datetime.date(2026, 3, 1)
        )
        client.force_login(world.manager)
        response = client.post(
            detail_url(world.partnership, "stage"),
            {"stage": "agreement", "changed_on": "2026-02-01", "version": 1},
        )
        assert response.status_code == 400 and "cannot be earlier" in response.text
        world.partnership.refresh_from_db()
        assert world.partnership.stage == "scoping"

    def test_stage_in_the_future_is_refused(self, client, world):
        client.force_login(world.manager)
        response = client.post(
            detail_url(world.partnership, "stage"),
            {"stage": "agreement", "changed_on": "2999-01-01", "version": 1},
        )
        assert response.status_code == 400
        world.partnership.refresh_from_db()
        assert world.partnership.stage == "scoping"


class TestInlineAdds:
    def test_stakeholder_added_with_htmx_returns_the_section(self, client, world):
        client.force_login(world.coordinator)
        response = client.post(
            detail_url(world.partnership, "stakeholder_add"),
            {"kind": "ministry", "name": "Ministry of Health, Uganda", "role": "Sets priorities"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="stakeholders"')
        assert "Ministry of Health, Uganda" in response.text
        stakeholder = Stakeholder.objects.get(name="Ministry of Health, Uganda")
        assert AuditEvent.objects.for_object(world.partnership).filter(target_id=str(stakeholder.pk)).exists()

    def test_stakeholder_without_name_shows_the_error(self, client, world):
        client.force_login(world.coordinator)
        response = client.post(
            detail_url(world.partnership, "stakeholder_add"),
            {"kind": "ministry", "name": ""},
            HTTP_HX_REQUEST="true",
        )
        assert "This field is required" in response.text
        assert not Stakeholder.objects.exists()

    def test_viewer_cannot_add_stakeholder(self, client, world):
        client.force_login(world.partnership_viewer)
        response = client.post(
            detail_url(world.partnership, "stakeholder_add"), {"kind": "ministry", "name": "X"}
        )
        assert response.status_code == 403 and not Stakeholder.objects.exists()

    def test_agreement_upload_checks_type_and_serves_only_to_members(self, client, world):
        client.force_login(world.coordinator)
        bad = SimpleUploadedFile("mou.exe", b"MZ...", content_type="application/octet-stream")
        response = client.post(
            detail_url(world.partnership, "agreement_add"), {"title": "MoU", "document": bad}
        )
        assert response.status_code == 400 and not world.partnership.agreements.exists()
        good = SimpleUploadedFile("mou.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        response = client.post(
            detail_url(world.partnership, "agreement_add"),
            {"title": "MoU", "document": good, "host_signed_on": "2026-01-10"},
        )
        assert response.status_code == 302
        agreement = world.partnership.agreements.get()
        download = detail_url(world.partnership, "agreement_document", agreement.uuid)
        assert b"".join(client.get(download).streaming_content) == b"%PDF-1.4 test"
        client.force_login(world.outsider)
        assert client.get(download).status_code == 404

    def test_coordinator_manages_only_their_own_side(self, client, world):
        client.force_login(world.coordinator)  # host side
        response = client.post(
            detail_url(world.partnership, "member_add"),
            {"email": world.outsider.email, "side": "host", "role": "member"},
        )
        assert response.status_code == 302
        assert PartnershipMembership.objects.filter(user=world.outsider, side="host").exists()
        response = client.post(
            detail_url(world.partnership, "member_add"),
            {"email": world.other_coordinator.email, "side": "resource", "role": "member"},
        )
        assert response.status_code == 400
        assert not PartnershipMembership.objects.filter(
            user=world.other_coordinator, partnership=world.partnership
        ).exists()
        resource_member = PartnershipMembership.objects.get(user=world.resource_coordinator)
        response = client.post(detail_url(world.partnership, "member_remove", resource_member.pk))
        assert response.status_code == 403

    def test_member_cannot_add_members(self, client, world):
        client.force_login(world.member)
        response = client.post(
            detail_url(world.partnership, "member_add"),
            {"email": world.outsider.email, "side": "host", "role": "member"},
        )
        assert response.status_code == 403


class TestInvitations:
    def test_coordinator_invites_someone_without_an_account(
        self, client, world, mailoutbox, django_capture_on_commit_callbacks
    ):
        client.force_login(world.coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                detail_url(world.partnership, "member_add"),
                {
                    "email": "New.Nurse@Example.org",
                    "full_name": "Nurse Akello",
                    "side": "host",
                    "role": "member",
                },
            )
        assert response.status_code == 302
        user = User.objects.get(email="new.nurse@example.org")
        assert not user.has_usable_password() and user.full_name == "Nurse Akello"
        assert PartnershipMembership.objects.filter(
            user=user, partnership=world.partnership, role="member"
        ).exists()
        assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new.nurse@example.org"]
        link = re.search(r"https?://\S+/password-reset/\S+/", mailoutbox[0].body).group(0)
        path = link.split("8000", 1)[-1]
        page = client.get(path, follow=True)
        assert "Set my password" in page.text

    def test_existing_user_is_added_and_told_without_a_new_account(
        self, client, world, mailoutbox, django_capture_on_commit_callbacks
    ):
        client.force_login(world.coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                detail_url(world.partnership, "member_add"),
                {"email": world.outsider.email, "side": "host", "role": "viewer"},
            )
        assert User.objects.filter(email=world.outsider.email).count() == 1
        assert "Sign in to see it" in mailoutbox[0].body

    def test_a_bad_email_invites_nobody(self, client, world, mailoutbox):
        client.force_login(world.coordinator)
        users = User.objects.count()
        response = client.post(
            detail_url(world.partnership, "member_add"),
            {"email": "not-an-email", "side": "host", "role": "member"},
        )
        assert response.status_code == 400 and not mailoutbox
        assert User.objects.count() == users


def _history(partnership: Partnership, n: int, actor: User) -> None:
    """`n` audit events on the partnership, oldest first ("change 0" is the oldest)."""
    for i in range(n):
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=partnership, reason=f"change {i}")


def test_the_page_shows_the_latest_changes_and_links_the_older_ones(client, world):
    _history(world.partnership, HISTORY_PAGE_SIZE + 5, world.coordinator)
    client.force_login(world.manager)

    page = client.get(detail_url(world.partnership)).text
    assert f"change {HISTORY_PAGE_SIZE + 4}" in page and "change 4<" not in page
    assert "?history=2#history" in page
    older = client.get(detail_url(world.partnership) + "?history=2").text
    assert "change 4<" in older and f"change {HISTORY_PAGE_SIZE + 4}" not in older


@pytest.mark.parametrize(
    ("asked", "newest_shown"), [("0", True), ("-1", True), ("abc", True), ("2", False), ("999999", False)]
)
def test_a_history_page_out_of_range_gives_the_nearest_real_page(client, world, asked, newest_shown):
    _history(world.partnership, HISTORY_PAGE_SIZE + 5, world.coordinator)
    client.force_login(world.manager)
    page = client.get(detail_url(world.partnership), {"history": asked}).text
    assert (f"change {HISTORY_PAGE_SIZE + 4}<" in page) is newest_shown
    assert ("change 4<" in page) is not newest_shown


def test_the_page_makes_the_same_queries_however_long_its_history(client, world):
    client.force_login(world.manager)
    _history(world.partnership, 3, world.coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail_url(world.partnership)).status_code == 200
        return len(captured)

    short = queries()
    _history(world.partnership, 3 * HISTORY_PAGE_SIZE, world.coordinator)
    assert queries() == short

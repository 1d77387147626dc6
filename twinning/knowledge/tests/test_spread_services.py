import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from twinning.audit.models import AuditEvent
from twinning.core.services import VersionConflict
from twinning.knowledge.models import Adoption, AdoptionLevel, DisseminationRecord, Level, Practice
from twinning.knowledge.spread import services
from twinning.knowledge.spread.selectors import with_current_level
from twinning.knowledge.tests.spread_factories import AdoptionFactory, DisseminationFactory, practice_of
from twinning.testing.factories import InstitutionFactory, PartnershipFactory, partnership_member

pytestmark = pytest.mark.django_db

MAY = datetime.date(2025, 5, 14)


def record(world, actor=None, **kwargs):
    data = {
        "kind": DisseminationRecord.Kind.WORKSHOP,
        "title": "Regional safer-births workshop",
        "date": MAY,
        "audience": DisseminationRecord.Audience.FACILITIES,
        "people_reached": 45,
        "facilities_reached": 9,
        **kwargs,
    }
    partnership = data.pop("partnership", world.partnership)
    return services.dissemination_create(
        actor=actor or world.member, programme=world.programme, partnership=partnership, **data
    )


# --- dissemination -----------------------------------------------------------------------------------


def test_member_records_dissemination_with_the_practices_shared_and_it_is_audited(world):
    practice = practice_of(world.partnership)
    other = PartnershipFactory(programme=world.programme)
    saved = record(world, practices=[practice], partnerships=[other, world.partnership])
    assert list(saved.practices.all()) == [practice]
    assert list(saved.partnerships.all()) == [other]  # the recording partnership is not listed twice
    assert AuditEvent.objects.for_object(saved).filter(action="create").exists()


def test_client_may_name_the_record(world):
    wanted = uuid.uuid4()
    assert record(world, uuid=wanted).uuid == wanted


@pytest.mark.parametrize("role", ["partnership_viewer", "programme_viewer", "finance"])
def test_read_only_users_cannot_record_dissemination(world, role):
    with pytest.raises(PermissionDenied):
        record(world, actor=getattr(world, role))
    assert not DisseminationRecord.objects.exists()


@pytest.mark.parametrize("role", ["outsider", "other_coordinator"])
def test_outsiders_do_not_see_the_partnership(world, role):
    with pytest.raises(Http404):
        record(world, actor=getattr(world, role))


def test_only_programme_editors_record_for_the_programme_as_a_whole(world):
    saved = record(world, actor=world.manager, partnership=None)
    assert saved.partnership is None
    with pytest.raises(PermissionDenied):
        record(world, actor=world.programme_viewer, partnership=None)
    with pytest.raises(Http404):
        record(world, actor=world.member, partnership=None)


def test_an_article_needs_a_valid_doi_and_its_resolver_prefix_is_dropped(world):
    with pytest.raises(ValidationError) as error:
        record(world, kind=DisseminationRecord.Kind.ARTICLE)
    assert "doi" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(world, kind=DisseminationRecord.Kind.ARTICLE, doi="not a doi")
    assert "doi" in error.value.message_dict
    saved = record(
        world, kind=DisseminationRecord.Kind.ARTICLE, doi=" https://doi.org/10.1186/s12913-024-10000-1 "
    )
    assert saved.doi == "10.1186/s12913-024-10000-1"


def test_practices_of_another_programme_or_hidden_drafts_are_refused(world):
    elsewhere = practice_of(world.other_partnership)
    draft = practice_of(PartnershipFactory(programme=world.programme), status=Practice.Status.DRAFT)
    for practice in (elsewhere, draft):
        with pytest.raises(ValidationError) as error:
            record(world, practices=[practice])
        assert "practices" in error.value.message_dict
    assert not DisseminationRecord.objects.exists()


def test_partnerships_of_another_programme_are_refused(world):
    with pytest.raises(ValidationError) as error:
        record(world, partnerships=[world.other_partnership])
    assert "partnerships" in error.value.message_dict


def test_negative_reach_is_refused(world):
    with pytest.raises(ValidationError):
        record(world, people_reached=-1)


def test_an_evidence_file_lying_about_its_type_is_refused(world):
    with pytest.raises(ValidationError) as error:
        record(world, evidence_file=SimpleUploadedFile("photo.pdf", b"MZ\x90\x00 an executable"))
    assert "evidence_file" in error.value.message_dict
    with pytest.raises(ValidationError):
        record(world, evidence_file=SimpleUploadedFile("tool.exe", b"MZ"))
    saved = record(world, evidence_file=SimpleUploadedFile("list.pdf", b"%PDF-1.4 attendance"))
    assert saved.evidence_file


def test_update_checks_the_version_and_audits_the_change(world):
    saved = DisseminationFactory(partnership=world.partnership)
    services.dissemination_update(
        actor=world.member, record=saved, data={"people_reached": 120}, expected_version=saved.version
    )
    saved.refresh_from_db()
    assert saved.people_reached == 120 and saved.version == 2
    with pytest.raises(VersionConflict):
        services.dissemination_update(
            actor=world.member, record=saved, data={"title": "x"}, expected_version=1
        )
    with pytest.raises(TypeError):
        services.dissemination_update(actor=world.member, record=saved, data={"programme": None})


def test_delete_is_audited(world):
    saved = DisseminationFactory(partnership=world.partnership)
    services.dissemination_delete(actor=world.coordinator, record=saved)
    assert not DisseminationRecord.objects.exists()
    assert AuditEvent.objects.filter(action="delete").exists()


# --- adoptions ------------------------------------------------------------------------------------------


def adopt(world, practice, actor=None, **kwargs):
    data = {
        "site_kind": Adoption.SiteKind.DISTRICT,
        "area": "Gulu",
        "country": "ug",
        "led_by": Adoption.LedBy.HOST,
        "level": Level.ADAPTING,
        "reached_on": datetime.date(2024, 3, 1),
        **kwargs,
    }
    return services.adoption_create(actor=actor or world.member, practice=practice, **data)


def test_member_registers_an_adoption_with_its_first_level(world):
    practice = practice_of(world.partnership)
    adoption = adopt(world, practice)
    assert adoption.country == "UG" and adoption.site_name.startswith("Gulu")
    level = adoption.levels.get()
    assert level.level == Level.ADAPTING and level.rank == 1
    assert AuditEvent.objects.for_object(adoption).filter(action="create").exists()


def test_an_institution_adopts_in_its_own_country(world):
    practice = practice_of(world.partnership)
    hospital = InstitutionFactory(country="KE")
    adoption = adopt(world, practice, site_kind="institution", institution=hospital, country="UG", area="x")
    assert adoption.country == "KE" and adoption.area == "" and adoption.site_name == hospital.name


def test_an_institution_site_needs_an_institution_and_an_area_needs_its_name(world):
    practice = practice_of(world.partnership)
    with pytest.raises(ValidationError) as error:
        adopt(world, practice, site_kind="institution")
    assert "institution" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        adopt(world, practice, site_kind="region", area=" ")
    assert "area" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        adopt(world, practice, led_by=Adoption.LedBy.OTHER)
    assert "led_by_other" in error.value.message_dict
    assert not Adoption.objects.exists() and not AdoptionLevel.objects.exists()


def test_national_policy_is_reached_by_a_whole_country_only(world):
    practice = practice_of(world.partnership)
    with pytest.raises(ValidationError) as error:
        adopt(world, practice, level=Level.NATIONAL)
    assert "level" in error.value.message_dict
    adoption = adopt(world, practice, site_kind="country", area="", level=Level.NATIONAL)
    assert adoption.site_name == "Uganda"


def test_a_site_adopts_a_practice_once(world):
    practice = practice_of(world.partnership)
    adopt(world, practice)
    with pytest.raises(ValidationError):
        adopt(world, practice)


def test_levels_are_rows_of_a_history_in_order(world):
    practice = practice_of(world.partnership)
    adoption = adopt(world, practice)
    services.adoption_level_record(
        actor=world.member, adoption=adoption, level=Level.PILOTING, reached_on=datetime.date(2024, 9, 1)
    )
    services.adoption_level_record(
        actor=world.member, adoption=adoption, level=Level.SCALED_UP, reached_on=datetime.date(2025, 6, 1)
    )
    levels = list(adoption.levels.order_by("rank").values_list("level", "reached_on"))
    assert levels == [
        (Level.ADAPTING, datetime.date(2024, 3, 1)),
        (Level.PILOTING, datetime.date(2024, 9, 1)),
        (Level.SCALED_UP, datetime.date(2025, 6, 1)),
    ]
    current = with_current_level(Adoption.objects.all()).get(pk=adoption.pk)
    assert current.current_rank == 4 and current.since == datetime.date(2025, 6, 1)
    assert current.first_on == datetime.date(2024, 3, 1)


def test_a_level_out_of_order_twice_or_in_the_future_is_refused(world):
    practice = practice_of(world.partnership)
    adoption = adopt(world, practice, level=Level.PILOTING, reached_on=datetime.date(2024, 6, 1))
    cases = [
        (Level.ADOPTED, datetime.date(2024, 1, 1), "reached_on"),  # higher, but before piloting
        (Level.ADAPTING, datetime.date(2024, 12, 1), "reached_on"),  # lower, but after piloting
        (Level.PILOTING, datetime.date(2024, 7, 1), "level"),  # already reached
        (Level.ADOPTED, datetime.date.today() + datetime.timedelta(days=2), "reached_on"),
    ]
    for level, day, field in cases:
        with pytest.raises(ValidationError) as error:
            services.adoption_level_record(actor=world.member, adoption=adoption, level=level, reached_on=day)
        assert field in error.value.message_dict
    assert adoption.levels.count() == 1


def test_the_last_level_cannot_be_removed_but_a_mistaken_one_can(world):
    practice = practice_of(world.partnership)
    adoption = adopt(world, practice)
    with pytest.raises(ValidationError):
        services.adoption_level_remove(actor=world.member, level=adoption.levels.get())
    extra = services.adoption_level_record(
        actor=world.member, adoption=adoption, level=Level.PILOTING, reached_on=datetime.date(2024, 5, 1)
    )
    services.adoption_level_remove(actor=world.member, level=extra)
    assert adoption.levels.count() == 1


@pytest.mark.parametrize("role", ["partnership_viewer", "programme_viewer", "finance"])
def test_readers_cannot_record_adoptions(world, role):
    practice = practice_of(world.partnership)
    with pytest.raises(PermissionDenied):
        adopt(world, practice, actor=getattr(world, role))


def test_another_partnership_of_the_programme_cannot_record_adoptions(world):
    neighbour = partnership_member(PartnershipFactory(programme=world.programme))
    with pytest.raises(PermissionDenied):
        adopt(world, practice_of(world.partnership), actor=neighbour)


@pytest.mark.parametrize("status", [Practice.Status.DRAFT, Practice.Status.PUBLIC])
@pytest.mark.parametrize("role", ["outsider", "other_coordinator"])
def test_outsiders_get_404_even_for_a_public_practice(world, role, status):
    practice = practice_of(world.partnership, status=status)
    with pytest.raises(Http404):
        adopt(world, practice, actor=getattr(world, role))


def test_programme_editors_record_adoptions_of_any_practice(world):
    practice = practice_of(world.partnership)
    assert adopt(world, practice, actor=world.me_officer).pk


def test_adoption_update_keeps_the_site_and_clears_other_leader_text(world):
    adoption = AdoptionFactory(practice=practice_of(world.partnership), led_by="other", led_by_other="A NGO")
    services.adoption_update(
        actor=world.member, adoption=adoption, data={"led_by": "ministry"}, expected_version=adoption.version
    )
    adoption.refresh_from_db()
    assert adoption.led_by == "ministry" and adoption.led_by_other == ""
    with pytest.raises(TypeError):
        services.adoption_update(actor=world.member, adoption=adoption, data={"country": "KE"})


def test_adoption_delete_takes_its_levels(world):
    adoption = AdoptionFactory(practice=practice_of(world.partnership))
    services.adoption_delete(actor=world.member, adoption=adoption)
    assert not AdoptionLevel.objects.exists()

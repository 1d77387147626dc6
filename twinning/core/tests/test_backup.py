"""`twinning backup DIR` and `twinning restore DIR --yes`: a restored copy has the same data and files, on
whichever database the suite runs (SQLite's online backup, or pg_dump/pg_restore on PostgreSQL)."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from twinning.audit.services import change_stamp
from twinning.partnerships.models import Agreement, Partnership
from twinning.testing.factories import PartnershipFactory, PersonFactory

# pg_dump reads the database from its own connection: the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def files_on_disk(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


def everything() -> str:
    out = StringIO()
    call_command("dumpdata", "--natural-foreign", "--exclude", "sessions", stdout=out)
    return out.getvalue()


def test_a_restored_backup_has_the_same_data_and_files(files_on_disk, tmp_path):
    partnership = PartnershipFactory(title="Safer births")
    PersonFactory(institution=partnership.side_links.get(side="host").institution, full_name="Grace A.")
    agreement = Agreement.objects.create(
        partnership=partnership, title="MoU", document=SimpleUploadedFile("mou.pdf", b"%PDF-1.4 signed")
    )
    before = everything()
    assert "Safer births" in before and "Grace A." in before

    out = StringIO()
    call_command("backup", str(tmp_path / "backup"), stdout=out)
    assert "1 uploaded files" in out.getvalue()

    # Everything changes after the backup: a record goes, one comes, the file is lost.
    agreement.document.delete(save=False)
    agreement.delete()
    PartnershipFactory(title="Made after the backup")
    assert everything() != before

    stamp = change_stamp()
    call_command("restore", str(tmp_path / "backup"), "--yes", stdout=StringIO())
    assert everything() == before
    assert change_stamp() not in (None, stamp)  # nothing cached before the restore is read after it
    restored = Agreement.objects.get()
    assert restored.document.read() == b"%PDF-1.4 signed"
    assert not Partnership.objects.filter(title="Made after the backup").exists()


def test_restore_asks_for_confirmation_and_refuses_what_is_no_backup(files_on_disk, tmp_path):
    PartnershipFactory(title="Kept")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path))
    with pytest.raises(CommandError, match="holds no backup"):
        call_command("restore", str(tmp_path), "--yes")
    assert Partnership.objects.filter(title="Kept").exists()


def test_backup_refuses_a_directory_that_is_not_empty(files_on_disk, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "old"))

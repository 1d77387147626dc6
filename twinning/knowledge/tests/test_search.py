"""Search: words inside uploaded PDF and DOCX files are found, the right item ranks first, filters narrow, and
nothing a user may not read ever comes back (on SQLite's FTS5 and PostgreSQL's full-text search alike)."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from twinning.knowledge import services
from twinning.knowledge.models import Practice
from twinning.knowledge.samples import docx_bytes, pdf_bytes
from twinning.knowledge.search import Filters, search
from twinning.knowledge.tests.factories import PracticeFactory, publish_as_is

S = Practice.Status


@pytest.fixture
def library(world):
    """Three practices of world.partnership: the PDF one, the DOCX one (in French), and one that only
    mentions the PDF's word once in passing."""
    pdf_practice = PracticeFactory(partnership=world.partnership, title="Newborn care", status=S.DRAFT)
    services.document_create(
        actor=world.admin,
        practice=pdf_practice,
        title="Ward toolkit",
        type="toolkit",
        language="en",
        file=SimpleUploadedFile(
            "toolkit.pdf",
            pdf_bytes(
                "Toolkit", ["Thermoregulation matters: thermoregulation of preterm babies by skin contact."]
            ),
        ),
    )
    docx_practice = PracticeFactory(partnership=world.partnership, title="Soins maternels", language="fr")
    services.document_create(
        actor=world.admin,
        practice=docx_practice,
        title="Protocole",
        type="protocol",
        language="fr",
        file=SimpleUploadedFile(
            "protocole.docx", docx_bytes("Protocole", ["La surveillance du partogramme pendant le travail."])
        ),
    )
    passing = PracticeFactory(
        partnership=world.partnership,
        title="Staff rotas",
        summary="Rotas for night shifts; thermoregulation is covered elsewhere.",
    )
    return {"pdf": pdf_practice, "docx": docx_practice, "passing": passing}


def test_finds_words_inside_a_pdf_and_ranks_its_practice_first(world, library):
    results = search(user=world.member, text="thermoregulation")
    assert results.total == 2
    first = results.hits[0]
    assert first.practice == library["pdf"]
    assert first.document is not None and first.document.title == "Ward toolkit"
    assert "<mark>" in first.snippet and "hermoregulation" in first.snippet


def test_finds_words_inside_a_docx(world, library):
    results = search(user=world.member, text="partogramme")
    assert [h.practice for h in results.hits] == [library["docx"]]


def test_finds_words_on_every_sheet_of_an_xlsx(world):
    book = Workbook()
    book.active.title = "Summary"
    book.active.append(["Indicator", "Value"])
    book.create_sheet("Stock").append(["oxygen concentrators", 4])
    book.create_sheet("Follow-up").append(["Kangaroo", "mother care visits", 12])
    out = io.BytesIO()
    book.save(out)
    practice = PracticeFactory(partnership=world.partnership, title="Ward audit")
    version = services.document_create(
        actor=world.admin,
        practice=practice,
        title="Audit workbook",
        type="other",
        language="en",
        file=SimpleUploadedFile("audit.xlsx", out.getvalue()),
    ).versions.get()
    assert version.extraction == "done"
    assert "Stock" in version.text and "concentrators" in version.text and "Kangaroo" in version.text
    for word in ("concentrators", "kangaroo"):
        assert [h.practice for h in search(user=world.member, text=word).hits] == [practice]


def test_the_title_outweighs_the_body(world, library):
    results = search(user=world.member, text="rotas")
    assert results.hits[0].practice == library["passing"]


def test_filters_narrow_by_document_type_and_language(world, library):
    assert (
        search(user=world.member, text="thermoregulation", filters=Filters(document_type="toolkit")).total
        == 1
    )
    assert search(user=world.member, text="partogramme", filters=Filters(language="en")).total == 0
    assert search(user=world.member, text="partogramme", filters=Filters(language="fr")).total == 1


def test_snippets_escape_what_people_wrote(world):
    PracticeFactory(
        partnership=world.partnership, title="Hygiene", summary="<script>alert(1)</script> hygiene"
    )
    hit = search(user=world.member, text="hygiene").hits[0]
    # SQLite escapes the tag; PostgreSQL's parser drops tags from a headline. Neither lets it through.
    assert "<script>" not in hit.snippet and "<mark>hygiene</mark>" in hit.snippet


def test_operators_in_the_query_are_plain_words(world, library):
    for text in ('"', "NEAR(", "thermo*", "-", "a OR", "AND", "'; DROP TABLE x"):
        search(user=world.member, text=text)


@pytest.mark.parametrize("role", ["other_coordinator", "outsider", "anonymous", "programme_viewer"])
def test_search_never_leaks_a_draft(world, library, role):
    user = AnonymousUser() if role == "anonymous" else getattr(world, role)
    for word in ("thermoregulation", "partogramme", "rotas", "Toolkit"):
        assert search(user=user, text=word).total == 0


def test_search_finds_what_was_published_for_everyone(world, library):
    practice = library["pdf"]
    publish_as_is(practice)
    for user in (AnonymousUser(), world.other_coordinator, world.programme_viewer):
        assert [h.practice for h in search(user=user, text="thermoregulation").hits] == [practice]


def test_pages_and_totals(world):
    for n in range(5):
        PracticeFactory(partnership=world.partnership, title=f"Mentoring scheme {n}")
    first = search(user=world.member, text="mentoring", limit=2)
    assert first.total == 5 and len(first.hits) == 2
    last = search(user=world.member, text="mentoring", limit=2, offset=4)
    assert last.total == 5 and len(last.hits) == 1


@pytest.mark.parametrize(
    ("language", "written", "searched"),
    [
        ("fr", "Formation des sages-femmes dans les hôpitaux de district", "hôpital"),
        ("es", "Capacitación de las parteras en los hospitales comunitarios", "comunitario"),
        ("ru", "Обучение акушерок в районных больницах", "больница"),
        ("pt", "Formação das parteiras nas maternidades regionais", "maternidade"),
    ],
)
def test_another_inflection_of_a_word_is_found_in_every_ui_language(world, language, written, searched):
    practice = PracticeFactory(
        partnership=world.partnership,
        title="Practice",
        summary=written,
        language=language,
        status=S.PROGRAMME,
    )
    assert [h.practice for h in search(user=world.member, text=searched).hits] == [practice]
    narrowed = search(user=world.member, text=searched, filters=Filters(language=language))
    assert [h.practice for h in narrowed.hits] == [practice]

"""Reports in the reader's language (issue 15): shipped vocabulary, statuses, names sorted as the language
sorts, and label-value pairs joined as the language joins them."""

import datetime
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from twinning.core.reference import shipped_name
from twinning.exchanges.tests.factories import MentoringPairFactory
from twinning.partnerships.models import Pillar
from twinning.planning.periods import parse_period
from twinning.reports import documents
from twinning.reports.selectors import partnerships_in_report
from twinning.reports.tests.factories import reported
from twinning.testing.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def partnership_document(world):
    return documents.report_build(
        user=world.manager,
        programme=world.programme,
        partnership=world.partnership,
        period=parse_period("2024"),
        approved_only=False,
    )


def cells(book) -> list[str]:
    return [
        str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c
    ]


def test_the_russian_partnership_report_names_breakdowns_and_mentoring_in_russian(world):
    reported(world)
    MentoringPairFactory(partnership=world.partnership, start_date=datetime.date(2024, 2, 1))
    with translation.override("ru"):
        document = partnership_document(world)
        book = load_workbook(io.BytesIO(documents.report_xlsx(document)))
        pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(documents.report_pdf(document))).pages)
    written = cells(book)
    assert "Пол: Женский" in written
    assert "Пары: Активно" in written
    assert not [c for c in written if "Female" in c or "Sex:" in c or ": active" in c]
    flat = " ".join(pdf.split())
    assert "Пол: Женский" in flat and "Female" not in flat and "active" not in flat


def test_the_french_programme_workbook_names_pillars_in_french_and_sorts_countries_as_french_does(world):
    reported(world)
    for country in ("UA", "ET"):
        partnership = PartnershipFactory(programme=world.programme)
        partnership.side_links.get(side="host").institution.__class__.objects.filter(
            pk=partnership.side_links.get(side="host").institution_id
        ).update(country=country)
    with translation.override("fr"):
        document = documents.report_build(
            user=world.manager,
            programme=world.programme,
            partnerships=partnerships_in_report(world.programme),
            period=parse_period("2024"),
            approved_only=False,
        )
        book = load_workbook(io.BytesIO(documents.report_xlsx(document)))
        french = {shipped_name(p.name) for p in Pillar.objects.filter(programme=world.programme)}
    pillars = {row[0] for row in book["Par pilier"].iter_rows(min_row=2, values_only=True)}
    assert french <= pillars
    assert not {p.name for p in Pillar.objects.filter(programme=world.programme)} & pillars - french
    countries = [row[0] for row in book["Par pays"].iter_rows(min_row=2, values_only=True)][:-1]  # Total last
    assert countries.index("Éthiopie") < countries.index("Ukraine")
    assert countries.index("Éthiopie") < countries.index("Ouganda")


def test_the_french_entry_page_puts_a_no_break_space_before_the_colon(client, world):
    from twinning.monitoring.tests.factories import monitored

    monitored(world)
    client.force_login(world.member)
    client.cookies["django_language"] = "fr"
    html = client.get(f"/monitoring/{world.partnership.uuid}/2024Q1/").content.decode()
    assert "Cible\u00a0: 10" in html and "Sexe\u00a0: Femme" in html
    assert "Cible: " not in html and "Sexe: " not in html


def test_russian_iptt_headers_hyphenate_and_never_split_a_word_without_a_hyphen(world):
    reported(world)
    with translation.override("ru"):
        document = partnership_document(world)
        html = documents.report_html(document)
        pdf = PdfReader(io.BytesIO(documents.html_to_pdf(html)))
    assert '<html lang="ru">' in html
    lines = [line.strip() for page in pdf.pages for line in page.extract_text().splitlines()]
    # A header word cut for want of room ends its line with a hyphen; a bare fragment never does.
    for whole in ("Исходный", "уровень"):
        fragments = [whole[:n] for n in range(2, len(whole) - 1)]
        bare = [line for line in lines if any(line.endswith(" " + f) or line == f for f in fragments)]
        assert not bare, bare


def test_a_programme_report_lists_partnerships_with_accents_beside_their_base_letter(world):
    PartnershipFactory(programme=world.programme, title="Zambia twinning")
    PartnershipFactory(programme=world.programme, title="Éthiopie : santé maternelle")
    PartnershipFactory(programme=world.programme, title="Ethiopia and Kenya")
    titles = [p.title for p in partnerships_in_report(world.programme)]
    assert titles.index("Ethiopia and Kenya") < titles.index("Éthiopie : santé maternelle")
    assert titles.index("Éthiopie : santé maternelle") < titles.index("Zambia twinning")

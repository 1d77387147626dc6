"""Full-text search over practices and their documents (extracted text included).

The index is `SearchEntry`: one row per practice and one per current version of each document edition, rebuilt by
`reindex_practice` in the same transaction as every change. On PostgreSQL each row carries a generated tsvector
stemmed in the row's language (english, french, spanish, russian, portuguese; 'simple' otherwise) under a GIN
index, and a query is parsed with every one of those configurations (OR-ed), so a French query finds the French
edition and an English one the English edition; with a language filter, only that language's rules apply. On
SQLite an FTS5 table (porter stemming, diacritics folded) answers the same question, ranked by bm25; for French,
Spanish, Russian and Portuguese it also indexes the words' Snowball stems (knowledge.stemming).

Every search starts from the practices the user may read (access.practice_scope), so nothing leaks: the
visible practices' ids are a subquery of the one search query.
"""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from twinning.knowledge.models import Document, DocumentVersion, Practice, SearchEntry
from twinning.knowledge.stemming import query_stems, stems_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from twinning.accounts.models import User

# The UI languages and PostgreSQL's text-search configuration for each; any other language is searched 'simple'.
CONFIGS = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian", "pt": "portuguese"}
# The search index keeps this much of an entry's text (a tsvector is limited to 1 MB; a document's stored text
# is capped at models.MAX_EXTRACTED_CHARS, a practice's fields by their models' limits).
MAX_INDEXED_CHARS = 200_000
# Snippets are cut from this much of the start of an entry's text: highlighters cost grows with the number of
# matches in what they read (PostgreSQL's ts_headline; SQLite's FTS5 snippet() is quadratic in them, 28 s for a
# 200 KB row of one repeated word), so they are never given the whole entry. A match further in still finds the
# entry; its snippet is then the entry's opening words.
MAX_SNIPPET_SOURCE = 20_000
# Words of a snippet cut on SQLite (PostgreSQL's ts_headline has its own MaxWords).
SNIPPET_WORDS = 30
_START, _STOP = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)


# --- the index ------------------------------------------------------------------------------------------


def practice_text(practice: Practice | dict[str, Any]) -> str:
    """The practice's own words, as the index holds them (its title is indexed apart, weighted higher); from a
    practice, or from the text its author last confirmed (Practice.public_text)."""
    names = (
        "summary",
        "problem",
        "what_was_done",
        "needs_staff",
        "needs_equipment",
        "needs_cost",
        "conditions",
        "results",
    )
    if isinstance(practice, dict):
        parts = [str(practice.get(name) or "") for name in names]
    else:
        parts = [getattr(practice, name) for name in names]
    return "\n".join(p for p in parts if p)


def reindex_practice(practice: Practice) -> None:
    """Rebuild the practice's search entries: its own, and one per language edition of each document (the
    newest version of that edition). A public practice has a public copy besides (SearchEntry.public): the text
    its author last confirmed (Practice.public_text) and the newest confirmed file of each edition, what anyone
    who does not read it whole finds. Call inside the service's transaction. Three queries.

    Raises: nothing.
    """
    SearchEntry.objects.filter(practice=practice).delete()
    entries = [
        SearchEntry(
            practice=practice,
            language=practice.language,
            title=practice.title,
            body=practice_text(practice)[:MAX_INDEXED_CHARS],
        )
    ]
    newest: dict[tuple[int, str], DocumentVersion] = {}
    newest_confirmed: dict[tuple[int, str], DocumentVersion] = {}
    for version in DocumentVersion.objects.filter(document__practice=practice).select_related("document"):
        key = (version.document_id, version.language)
        if key not in newest or version.number > newest[key].number:
            newest[key] = version
        if version.cleared_at is not None and (
            key not in newest_confirmed or version.number > newest_confirmed[key].number
        ):
            newest_confirmed[key] = version
    for version in newest.values():
        document = version.document
        entries.append(_document_entry(practice, version, document.title, document.description))
    public = practice.public_text if practice.status == Practice.Status.PUBLIC else None
    if public:
        entries.append(
            SearchEntry(
                practice=practice,
                public=True,
                language=practice.language,
                title=str(public.get("title") or "")[:255],
                body=practice_text(public)[:MAX_INDEXED_CHARS],
            )
        )
        documents = public.get("documents") or {}
        for version in newest_confirmed.values():
            text = documents.get(str(version.document.uuid))
            if text is not None:
                entry = _document_entry(
                    practice, version, str(text.get("title") or ""), str(text.get("description") or "")
                )
                entry.public = True
                entries.append(entry)
    if connection.vendor == "sqlite":
        for entry in entries:
            entry.stems = stems_of(f"{entry.title}\n{entry.body}", entry.language)
    SearchEntry.objects.bulk_create(entries)


def _document_entry(
    practice: Practice, version: DocumentVersion, title: str, description: str
) -> SearchEntry:
    body = "\n".join(p for p in (description, version.text) if p)
    return SearchEntry(
        practice=practice,
        version=version,
        language=version.language,
        document_type=version.document.type,
        title=title[:255],
        body=body[:MAX_INDEXED_CHARS],
    )


# --- the query ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a search may be narrowed to; empty strings mean "any". Values are codes (pillar and health-area
    codes, ISO country and language codes, Setting and Document.Type values)."""

    pillar: str = ""
    health_area: str = ""
    country: str = ""
    setting: str = ""
    document_type: str = ""
    language: str = ""


NO_FILTERS = Filters()


@dataclass(frozen=True)
class Hit:
    """One result: a practice, or one document edition of it (`version` set), with highlighted text."""

    practice: Practice
    version: DocumentVersion | None
    rank: float
    title: SafeString
    snippet: SafeString

    @property
    def document(self) -> Document | None:
        return self.version.document if self.version else None


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int


def filter_problems(filters: Filters) -> dict[str, str]:
    """Each filter whose value names nothing Twinning knows (a pillar or health-area code, a country, setting,
    document type or language), with a message saying so: a filter that named nothing would otherwise find
    nothing, or be dropped silently. Two small queries at most.

    Raises: nothing.
    """
    from twinning.core.reference import country_names
    from twinning.directory.models import HealthArea
    from twinning.knowledge.models import Setting, validate_language
    from twinning.partnerships.models import Pillar

    problems: dict[str, str] = {}
    value = {name: str(getattr(filters, name))[:50] for name in Filters.__dataclass_fields__}
    if filters.pillar and not Pillar.objects.filter(code=filters.pillar).exists():
        problems["pillar"] = _("No pillar has the code “%(value)s”.") % {"value": value["pillar"]}
    if filters.health_area and not HealthArea.objects.filter(code=filters.health_area).exists():
        problems["health_area"] = _("No health area has the code “%(value)s”.") % {
            "value": value["health_area"]
        }
    if filters.country and filters.country.upper() not in country_names():
        problems["country"] = _("%(value)s is not an ISO 3166 country code.") % {"value": value["country"]}
    if filters.setting and filters.setting not in Setting.values:
        problems["setting"] = _("“%(value)s” is not a setting a practice is recorded in.") % {
            "value": value["setting"]
        }
    if filters.document_type and filters.document_type not in Document.Type.values:
        problems["document_type"] = _("“%(value)s” is not a type of document.") % {
            "value": value["document_type"]
        }
    if filters.language:
        try:
            validate_language(filters.language)
        except ValidationError:
            problems["language"] = _("Choose a language by its two-letter ISO 639-1 code.")
    return problems


def practice_filter(queryset: QuerySet[Practice], filters: Filters) -> QuerySet[Practice]:
    """Narrow practices by the practice-level filters (pillar, health area, country, setting)."""
    if filters.pillar:
        queryset = queryset.filter(pillars__code=filters.pillar)
    if filters.health_area:
        queryset = queryset.filter(health_areas__code=filters.health_area)
    if filters.country:
        queryset = queryset.filter(countries__country=filters.country)
    if filters.setting:
        queryset = queryset.filter(setting=filters.setting)
    return queryset


def search(
    *,
    user: "User | AnonymousUser",
    text: str,
    filters: Filters = NO_FILTERS,
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """Practices and document editions the user may read that match `text`, best first, with the total.

    Relevance: an entry whose title matches comes before every entry matched only in its text (a practice's
    body, a document's extracted text, however often the words occur there); within each, PostgreSQL's ts_rank
    (title words weigh more than body words), SQLite's bm25 (title 10x). The highlighted title and snippet are
    HTML with the matches in <mark>, everything else escaped; a snippet that the database left unmarked (a
    match by stem only) has the query's words and stems marked here. A query with no
    words gives no results. At most four queries whatever the number of hits (the page with its total, on SQLite
    a count when the page is full, the practices, the document versions).

    Raises: nothing.
    """
    if not _WORD.search(text or ""):
        return Results([], 0)
    visible = practice_filter(Practice.objects.visible_to(user), filters).values("pk")
    scope_sql, scope_params = visible.query.sql_with_params()
    where, where_params = _entry_filters(filters)
    # Those who read a practice whole (access.practice_insider_scope) find its current entries; everyone else
    # (the public, another programme's user) finds a public practice's public copy: the text its author last
    # confirmed free of personal data and the files confirmed so (reindex_practice).
    if user.is_authenticated:
        whole_sql, whole_params = Practice.objects.read_whole_by(user).values("pk").query.sql_with_params()
        where += f" AND (CASE WHEN e.practice_id IN ({whole_sql}) THEN NOT e.public ELSE e.public END)"
        where_params = [*where_params, *whole_params]
    else:
        where += " AND e.public"
    if connection.vendor == "postgresql":
        rows, total = _postgresql(text, filters, scope_sql, scope_params, where, where_params, limit, offset)
    else:
        rows, total = _sqlite(text, filters, scope_sql, scope_params, where, where_params, limit, offset)
    return Results(_hits(rows, text), total)


def _entry_filters(filters: Filters) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if filters.document_type:
        clauses.append("e.document_type = %s")
        params.append(filters.document_type)
    if filters.language:
        clauses.append("e.language = %s")
        params.append(filters.language)
    return "".join(f" AND {c}" for c in clauses), params


def _tsquery(filters: Filters) -> tuple[str, int]:
    configs = [CONFIGS[filters.language]] if filters.language in CONFIGS else list(CONFIGS.values())
    configs.append("simple")
    return " || ".join(f"websearch_to_tsquery('{c}', %s)" for c in configs), len(configs)


_ROW_CONFIG = (
    "CASE e.language WHEN 'en' THEN 'english'::regconfig WHEN 'fr' THEN 'french'::regconfig "
    "WHEN 'es' THEN 'spanish'::regconfig WHEN 'ru' THEN 'russian'::regconfig "
    "WHEN 'pt' THEN 'portuguese'::regconfig ELSE 'simple'::regconfig END"
)
_HEADLINE = 'StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'


def _postgresql(
    text: str,
    filters: Filters,
    scope_sql: str,
    scope_params: tuple[Any, ...],
    where: str,
    where_params: list[Any],
    limit: int,
    offset: int,
) -> tuple[list[tuple[Any, ...]], int]:
    tsquery, count = _tsquery(filters)
    match = f"FROM knowledge_searchentry e, q WHERE e.tsv @@ q.q AND e.practice_id IN ({scope_sql}){where}"
    params = [*([text] * count), *scope_params, *where_params]
    # The total comes with the page (a window count over the same matches), so the matching runs once.
    page_sql = (
        f"WITH q AS (SELECT ({tsquery}) AS q), "
        f"hits AS (SELECT e.id, ts_rank(e.tsv, q.q) AS rank, "
        "ts_rank('{0, 0, 0, 1}', e.tsv, q.q) > 0 AS in_title, count(*) OVER () AS total "
        f"{match} ORDER BY in_title DESC, rank DESC, e.id LIMIT %s OFFSET %s) "
        "SELECT e.id, e.practice_id, e.version_id, hits.rank, "
        f"ts_headline({_ROW_CONFIG}, e.title, q.q, 'HighlightAll=true, StartSel=\x02, StopSel=\x03'), "
        f"ts_headline({_ROW_CONFIG}, left(e.body, {MAX_SNIPPET_SOURCE}), q.q, %s), e.public, hits.total "
        "FROM hits JOIN knowledge_searchentry e ON e.id = hits.id, q ORDER BY hits.in_title DESC, hits.rank DESC, e.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(page_sql, [*params, limit, offset, _HEADLINE])
        rows = cursor.fetchall()
        if rows:
            return [row[:7] for row in rows], rows[0][7]
        if offset == 0:
            return [], 0
        cursor.execute(f"WITH q AS (SELECT ({tsquery}) AS q) SELECT count(*) {match}", params)
        return [], cursor.fetchone()[0]


def fts5_query(text: str, language: str = "") -> str:
    """A user's words as an FTS5 query: each word quoted (so no word is read as an operator), all required; a
    word matches as typed (porter-stemmed, which covers English) or by its Snowball stem in the stems column (in
    `language` when the search is narrowed to one, else in French, Spanish, Russian and Portuguese)."""
    terms = []
    for word in _WORD.findall(text)[:32]:
        quoted = '"' + word.replace('"', "") + '"'
        stems = " OR ".join(f'stems:"{stem}"' for stem in query_stems(word, language) if stem)
        terms.append(f"({quoted} OR {stems})" if stems else quoted)
    return " AND ".join(terms)


def _sqlite(
    text: str,
    filters: Filters,
    scope_sql: str,
    scope_params: tuple[Any, ...],
    where: str,
    where_params: list[Any],
    limit: int,
    offset: int,
) -> tuple[list[tuple[Any, ...]], int]:
    match = (
        "FROM knowledge_search_fts f JOIN knowledge_searchentry e ON e.id = f.rowid "
        f"WHERE knowledge_search_fts MATCH %s AND e.practice_id IN ({scope_sql}){where}"
    )
    params = [fts5_query(text, filters.language), *scope_params, *where_params]
    # FTS5's snippet() is quadratic in the matches of the row (the whole body): the snippet is cut here from a
    # bounded excerpt instead (`_snippet`); highlight() reads only the title.
    page_sql = (
        "SELECT e.id, e.practice_id, e.version_id, bm25(knowledge_search_fts, 10.0, 1.0, 1.0) AS rank, "
        "highlight(knowledge_search_fts, 0, char(2), char(3)), "
        f"substr(e.body, 1, {MAX_SNIPPET_SOURCE}), "
        "instr(highlight(knowledge_search_fts, 0, char(2), char(3)), char(2)) > 0 AS in_title, e.public "
        f"{match} ORDER BY in_title DESC, rank, e.id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(page_sql, [*params, limit, offset])
        rows = cursor.fetchall()
        if (rows or offset == 0) and len(rows) < limit:
            total = offset + len(rows)
        else:
            # FTS5's ranking functions cannot run under a window count: the total is a query of its own.
            cursor.execute(f"SELECT count(*) {match}", params)
            total = cursor.fetchone()[0]
    # bm25 is lower for better matches; the results speak of relevance, higher is better.
    return [(*row[:3], -row[3], row[4], _snippet(row[5], text), row[7]) for row in rows], total


def marked(text: str) -> SafeString:
    """Text from the index with its match markers as <mark>, everything else escaped."""
    return mark_safe(escape(text or "").replace(_START, "<mark>").replace(_STOP, "</mark>"))


def _query_pattern(text: str) -> "re.Pattern[str] | None":
    """A word starting like one of the query's words (at most 32) or their Snowball stems; None when the query
    has no word of three letters or more."""
    prefixes = {w.lower() for w in _WORD.findall(text)[:32] if len(w) >= 3}
    prefixes |= {stem for w in list(prefixes) for stem in query_stems(w, "") if stem and len(stem) >= 3}
    if not prefixes:
        return None
    return re.compile(
        r"\b(?:" + "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True)) + r")\w*",
        re.IGNORECASE,
    )


def _snippet(excerpt: str, text: str) -> str:
    """About SNIPPET_WORDS words of `excerpt` (at most MAX_SNIPPET_SOURCE characters of an entry's text) around
    the first word matching the query (its opening words when none does), with " … " where it was cut; the
    marks are added by `_mark_words`. Linear in the excerpt: one regular-expression search and a bounded window.

    Raises: nothing.
    """
    excerpt = (excerpt or "")[:MAX_SNIPPET_SOURCE]
    pattern = _query_pattern(text)
    found = pattern.search(excerpt) if pattern else None
    start = found.start() if found else 0
    # A window of characters around the match, wide enough for the words wanted, then cut to whole words.
    reach = SNIPPET_WORDS * 12
    left = max(0, start - reach // 3)
    window = excerpt[left : start + reach]
    words = window.split()
    cut = left > 0 and bool(words) and not excerpt[left - 1].isspace()
    if cut:
        words = words[1:]  # a word cut at the left edge
    before = max(0, len(excerpt[left:start].split()) - cut) if found else 0
    first = max(0, before - SNIPPET_WORDS // 3)
    chosen = words[first : first + SNIPPET_WORDS]
    prefix = " … " if left > 0 or first > 0 else ""
    suffix = " … " if left + len(window) < len(excerpt) or first + SNIPPET_WORDS < len(words) else ""
    return f"{prefix}{' '.join(chosen)}{suffix}".strip()


def _mark_words(snippet: str, text: str) -> str:
    """`snippet` (from the index) with each word starting like one of the query's words or their stems marked,
    when the database marked none."""
    if not snippet or _START in snippet:
        return snippet
    pattern = _query_pattern(text)
    if pattern is None:
        return snippet
    return pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", snippet)


def _hits(rows: list[tuple[Any, ...]], text: str = "") -> list[Hit]:
    if not rows:
        return []
    practices = (
        Practice.objects.select_related("programme")
        .prefetch_related("partnerships")
        .in_bulk({row[1] for row in rows})
    )
    versions = DocumentVersion.objects.select_related("document").in_bulk(
        {row[2] for row in rows if row[2] is not None}
    )
    from twinning.knowledge.selectors import public_copy

    # A hit in a public copy names the practice (and its document) by the text its author last confirmed.
    shown = {row[1]: public_copy(practices[row[1]]) for row in rows if row[6] and row[1] in practices}
    hits = []
    for _id, practice_id, version_id, rank, title, snippet, public in rows:
        if practice_id not in practices:
            continue
        version = versions.get(version_id) if version_id else None
        if version is not None and public:
            confirmed = ((practices[practice_id].public_text or {}).get("documents") or {}).get(
                str(version.document.uuid)
            ) or {}
            version.document.title = str(confirmed.get("title") or "")
            version.document.description = str(confirmed.get("description") or "")
        hits.append(
            Hit(
                practice=shown.get(practice_id, practices[practice_id]) if public else practices[practice_id],
                version=version,
                rank=float(rank),
                title=marked(title),
                snippet=marked(_mark_words(snippet, text)),
            )
        )
    return hits

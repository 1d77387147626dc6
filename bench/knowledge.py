"""Benchmark the practice library's search against the bare full-text SQL on the same data, and the public
practice list page.

Run by bench/run.py in a fresh database (DATABASE_URL); prints one JSON object with the figures.
Generates BENCH_PRACTICES (25,000) practices with one document each (so 50,000 search entries: practices and
documents), in English mostly and French, Spanish, Russian and Portuguese, most published, some drafts, spread
over 20 partnerships; the words are drawn from a fixed vocabulary so common and rare words both occur. Then times
`knowledge.search.search` (the app: access scope, six stemming configurations, rank, total, two highlighted
snippets, the practices and versions loaded) as a partnership member, against the bare SQL: the same rows
matched with one configuration, ranked, LIMIT 20. Target on PostgreSQL: at most 2x. Also the public list page
`/practices/`: its queries (a constant, as the tests assert) and its weight, raw and gzipped (target: at most
30 KB gzipped), and its time.
"""

import functools
import gzip
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from twinning.accounts.models import PartnershipMembership, User  # noqa: E402
from twinning.knowledge.models import (  # noqa: E402
    Document,
    DocumentVersion,
    Practice,
    PracticePartnership,
    SearchEntry,
)
from twinning.knowledge.search import search  # noqa: E402
from twinning.partnerships.models import Partnership, Programme  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
PRACTICES = int(os.environ.get("BENCH_PRACTICES", "25000"))
BATCH = 2000
LANGUAGES = ["en"] * 6 + ["fr", "es", "ru", "pt"]
REAL = [
    "checklist",
    "triage",
    "midwife",
    "newborn",
    "oxygen",
    "partograph",
    "mentoring",
    "curriculum",
    "laboratory",
    "sterilisation",
    "handover",
    "audit",
    "referral",
    "anaesthesia",
    "surgery",
    "vaccination",
    "malaria",
    "tuberculosis",
    "hygiene",
    "nutrition",
]
QUERIES = ["partograph", "oxygen newborn", "thermoregulation", "sterilisation audit"]
BARE_SQL = (
    "SELECT id, ts_rank(tsv, q) AS rank FROM knowledge_searchentry, websearch_to_tsquery('english', %s) q "
    "WHERE tsv @@ q ORDER BY rank DESC LIMIT 20"
)


def median_seconds(fn: Callable[[], object]) -> float:
    fn()
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _words(rng: random.Random, vocabulary: list[str], n: int) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(n))


def generate(rng: random.Random) -> tuple[User, Programme]:
    programme = Programme.objects.create(name="Knowledge bench programme")
    partnerships = Partnership.objects.bulk_create(
        Partnership(programme=programme, title=f"Bench partnership {n}") for n in range(20)
    )
    member = User.objects.create_user(
        email="member@bench.example.org", password="x", full_name="Bench member"
    )
    PartnershipMembership.objects.create(user=member, partnership=partnerships[0], role="member", side="host")
    vocabulary = [f"w{n:05d}" for n in range(5000)] + REAL * 20
    now = timezone.now()
    statuses = ["public"] * 7 + ["programme"] * 2 + ["draft"]
    made = 0
    while made < PRACTICES:
        size = min(BATCH, PRACTICES - made)
        practices = Practice.objects.bulk_create(
            Practice(
                programme=programme,
                title=f"Practice {made + n} {_words(rng, vocabulary, 4)}",
                summary=_words(rng, vocabulary, 150),
                language=rng.choice(LANGUAGES),
                status=(status := rng.choice(statuses)),
                published_at=now if status == "public" else None,
            )
            for n in range(size)
        )
        for p in practices:
            if p.status == "public":
                # What publishing does: the public reads the text as it was confirmed (here: as generated).
                p.public_text = {"title": p.title, "summary": p.summary, "documents": {}}
        Practice.objects.bulk_update([p for p in practices if p.status == "public"], ["public_text"])
        PracticePartnership.objects.bulk_create(
            PracticePartnership(practice=p, partnership=rng.choice(partnerships)) for p in practices
        )
        documents = Document.objects.bulk_create(
            Document(practice=p, title=f"Toolkit {_words(rng, vocabulary, 3)}", type="toolkit")
            for p in practices
        )
        versions = DocumentVersion.objects.bulk_create(
            DocumentVersion(
                document=d,
                language=d.practice.language,
                number=1,
                file=f"knowledge/bench/{uuid.uuid4().hex}.pdf",
                file_name="toolkit.pdf",
                cleared_at=now if d.practice.status == "public" else None,
                file_type="pdf",
                size=1000,
                sha256="0" * 64,
                text=_words(rng, vocabulary, 400) + (" thermoregulation" if rng.random() < 0.002 else ""),
                extraction="done",
            )
            for d in documents
        )
        # A public practice's entries have their public copy besides (knowledge.search.reindex_practice).
        SearchEntry.objects.bulk_create(
            [
                *(
                    SearchEntry(practice=p, language=p.language, title=p.title, body=p.summary, public=public)
                    for p in practices
                    for public in ((False, True) if p.status == "public" else (False,))
                ),
                *(
                    SearchEntry(
                        practice_id=v.document.practice_id,
                        version=v,
                        language=v.language,
                        document_type="toolkit",
                        title=v.document.title,
                        body=v.text,
                        public=public,
                    )
                    for v in versions
                    for public in ((False, True) if v.document.practice.status == "public" else (False,))
                ),
            ]
        )
        made += size
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return member, programme


def bare(text: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL, [text])
        return cursor.fetchall()


def public_page() -> dict:
    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/practices/")
    assert response.status_code == 200, response.status_code
    return {
        "queries": len(ctx.captured_queries),
        "bytes": len(response.content),
        "gzip_bytes": len(gzip.compress(response.content)),
    }


def main() -> None:
    rng = random.Random(12)
    started = time.perf_counter()
    member, _programme = generate(rng)
    generated = round(time.perf_counter() - started, 1)
    result: dict = {
        "benchmark": "knowledge",
        "database": connection.vendor,
        "entries": SearchEntry.objects.count(),
        "generate_seconds": generated,
    }
    searches = {}
    for text in QUERIES:
        app = median_seconds(functools.partial(search, user=member, text=text, limit=20))
        found = search(user=member, text=text, limit=20)
        entry: dict = {"app_seconds": round(app, 4), "total": found.total}
        if connection.vendor == "postgresql":
            sql = median_seconds(functools.partial(bare, text))
            entry |= {"bare_sql_seconds": round(sql, 4), "ratio": round(app / sql, 2)}
        searches[text] = entry
    result["search"] = searches
    if connection.vendor == "postgresql":
        result["worst_ratio"] = max(e["ratio"] for e in searches.values())
    result["anonymous_search_seconds"] = round(
        median_seconds(lambda: search(user=AnonymousUser(), text="oxygen newborn", limit=20)), 4
    )
    result["public_list"] = public_page()
    result["public_list_seconds"] = round(median_seconds(lambda: Client().get("/practices/")), 4)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

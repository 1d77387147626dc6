"""A public practice's text reaches the public only once its author confirms it holds no patient or personal data:
Practice.public_text keeps the text the public reads (taken here from each public practice's current text, which
is what its public page showed until now), and search keeps a public copy of a public practice's entries
(SearchEntry.public; an entry's version is no longer unique, as both copies name it).

Altering SearchEntry.version makes SQLite rebuild knowledge_searchentry, which drops the FTS5 triggers: they are
made again here (both ways), and the FTS5 index rebuilt."""

import django.db.models.deletion
from django.db import migrations, models

FIELDS = (
    "title",
    "summary",
    "problem",
    "what_was_done",
    "needs_staff",
    "needs_equipment",
    "needs_cost",
    "conditions",
    "results",
)
SQLITE_FTS = [
    "DROP TRIGGER IF EXISTS knowledge_search_au",
    "DROP TRIGGER IF EXISTS knowledge_search_ad",
    "DROP TRIGGER IF EXISTS knowledge_search_ai",
    "DROP TABLE IF EXISTS knowledge_search_fts",
    "CREATE VIRTUAL TABLE knowledge_search_fts USING fts5(title, body, stems, content='knowledge_searchentry', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER knowledge_search_ai AFTER INSERT ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_search_fts(rowid, title, body, stems) VALUES (new.id, new.title, new.body, new.stems); "
    "END",
    "CREATE TRIGGER knowledge_search_ad AFTER DELETE ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, title, body, stems) "
    "VALUES ('delete', old.id, old.title, old.body, old.stems); END",
    "CREATE TRIGGER knowledge_search_au AFTER UPDATE ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, title, body, stems) "
    "VALUES ('delete', old.id, old.title, old.body, old.stems); "
    "INSERT INTO knowledge_search_fts(rowid, title, body, stems) VALUES (new.id, new.title, new.body, new.stems); "
    "END",
    "INSERT INTO knowledge_search_fts(knowledge_search_fts) VALUES ('rebuild')",
]


def sqlite_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FTS:
            schema_editor.execute(statement)


def take_public_text(apps, schema_editor):
    sqlite_fts(apps, schema_editor)
    practice_model = apps.get_model("knowledge", "Practice")
    document_model = apps.get_model("knowledge", "Document")
    entry_model = apps.get_model("knowledge", "SearchEntry")
    for practice in practice_model.objects.filter(status="public").iterator():
        text = {name: getattr(practice, name) for name in FIELDS}
        text["documents"] = {
            str(d.uuid): {"title": d.title, "description": d.description}
            for d in document_model.objects.filter(practice=practice)
        }
        practice.public_text = text
        practice.public_text_cleared_at = practice.no_personal_data_confirmed_at or practice.published_at
        practice.save(update_fields=["public_text", "public_text_cleared_at"])
        # The public copy of its entries: its current ones (the text just kept), files not yet confirmed left out.
        copies = []
        for entry in entry_model.objects.filter(practice=practice, public=False).select_related("version"):
            if entry.version_id is not None and entry.version.cleared_at is None:
                continue
            entry.pk = None
            entry.public = True
            copies.append(entry)
        entry_model.objects.bulk_create(copies)


def drop_public_copies(apps, schema_editor):
    apps.get_model("knowledge", "SearchEntry").objects.filter(public=True).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0008_document_version_cleared")]

    operations = [
        # Runs last when this migration is reversed (after SQLite rebuilt the table again).
        migrations.RunPython(migrations.RunPython.noop, sqlite_fts),
        migrations.AddField(
            model_name="practice",
            name="public_text",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="public text"),
        ),
        migrations.AddField(
            model_name="practice",
            name="public_text_cleared_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="public text confirmed"),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="public",
            field=models.BooleanField(default=False, verbose_name="public copy"),
        ),
        migrations.AlterField(
            model_name="searchentry",
            name="version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="search_entries",
                to="knowledge.documentversion",
                verbose_name="document version",
            ),
        ),
        migrations.RunPython(take_public_text, drop_public_copies),
    ]

"""SQLite search stems words in French, Spanish, Russian and Portuguese too: SearchEntry.stems holds each row's
words stemmed by the Snowball stemmer of its language, and the FTS5 table indexes it as a third column. The
FTS5 table and its triggers are made again (adding the field may rebuild knowledge_searchentry, which drops the
triggers), and the stems of the rows already there are computed. PostgreSQL is unchanged (its tsvector is
stemmed per language already)."""

from django.db import migrations, models

SQLITE = [
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
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS knowledge_search_au",
    "DROP TRIGGER IF EXISTS knowledge_search_ad",
    "DROP TRIGGER IF EXISTS knowledge_search_ai",
    "DROP TABLE IF EXISTS knowledge_search_fts",
    "CREATE VIRTUAL TABLE knowledge_search_fts USING fts5(title, body, content='knowledge_searchentry', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER knowledge_search_ai AFTER INSERT ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER knowledge_search_ad AFTER DELETE ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER knowledge_search_au AFTER UPDATE ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO knowledge_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "INSERT INTO knowledge_search_fts(knowledge_search_fts) VALUES ('rebuild')",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from twinning.knowledge.stemming import stems_of

    entry_model = apps.get_model("knowledge", "SearchEntry")
    for entry in entry_model.objects.only("id", "language", "title", "body").iterator():
        stems = stems_of(f"{entry.title}\n{entry.body}", entry.language)
        if stems:
            entry_model.objects.filter(pk=entry.pk).update(stems=stems)
    for statement in SQLITE:
        schema_editor.execute(statement)
    schema_editor.execute("INSERT INTO knowledge_search_fts(knowledge_search_fts) VALUES ('rebuild')")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in SQLITE_REVERSE:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_dissemination_adoptions")]

    operations = [
        migrations.AddField(
            model_name="searchentry", name="stems", field=models.TextField(blank=True, default="")
        ),
        migrations.RunPython(forwards, backwards),
    ]

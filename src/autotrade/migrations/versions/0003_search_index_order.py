"""search index in rank order (decision 0003)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 05:30:00

The full-text documents get three fields (title, body, filter tags), the part's brand and category (facets
are counted from the index rows) and a rank class (quality grade, active before discontinued) that orders
the index — SQLite: the FTS5 rowid; PostgreSQL: one partial GIN index per class — so a query reads only
its first matches instead of scoring every match. The documents of parts already stored are rebuilt here.
"""

from alembic import op
from sqlalchemy import select
from sqlalchemy.orm import Session

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RANK_CLASSES = 12  # autotrade.catalog.documents.RANK_CLASSES when this revision was written


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS part_search")
        op.execute(
            "CREATE TABLE part_search ("
            " part_id uuid PRIMARY KEY REFERENCES parts(id) ON DELETE CASCADE,"
            " cls smallint NOT NULL,"
            " brand_id uuid NOT NULL,"
            " category_id uuid NOT NULL,"
            " tsv tsvector NOT NULL)"
        )
        # One GIN index per rank class: a query reads the classes in order and stops once it has enough.
        for cls in range(RANK_CLASSES):
            op.execute(
                f"CREATE INDEX ix_part_search_tsv_c{cls} ON part_search USING gin (tsv) WHERE cls = {cls}"
            )
    else:
        op.execute("DROP TRIGGER IF EXISTS part_search_docs_ai")
        op.execute("DROP TRIGGER IF EXISTS part_search_docs_ad")
        op.execute("DROP TABLE IF EXISTS part_search")
        op.execute("DROP TABLE IF EXISTS part_search_docs")
        op.execute(
            "CREATE TABLE part_search_docs (rowid INTEGER PRIMARY KEY, part_id CHAR(32) NOT NULL UNIQUE,"
            " brand_id CHAR(32) NOT NULL, category_id CHAR(32) NOT NULL,"
            " title TEXT NOT NULL, body TEXT NOT NULL, tags TEXT NOT NULL)"
        )
        op.execute(
            "CREATE VIRTUAL TABLE part_search USING fts5(title, body, tags, content='part_search_docs',"
            " content_rowid='rowid', tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER part_search_docs_ai AFTER INSERT ON part_search_docs BEGIN"
            " INSERT INTO part_search(rowid, title, body, tags)"
            " VALUES (new.rowid, new.title, new.body, new.tags); END"
        )
        op.execute(
            "CREATE TRIGGER part_search_docs_ad AFTER DELETE ON part_search_docs BEGIN"
            " INSERT INTO part_search(part_search, rowid, title, body, tags)"
            " VALUES ('delete', old.rowid, old.title, old.body, old.tags); END"
        )
    _reindex()


def _reindex() -> None:
    """Rebuild the documents of the parts already stored (a fresh database has none)."""
    from autotrade.catalog import indexing
    from autotrade.catalog.models import Part
    from autotrade.core.tenancy import bind_system

    session = Session(bind=op.get_bind())
    bind_system(session, "migrate")
    indexing.index_parts(session, list(session.scalars(select(Part.id).order_by(Part.id))))
    session.flush()


def downgrade() -> None:
    """Back to the revision-0002 structures, empty: their documents are not rebuilt (reindex after a
    downgrade by re-importing, or upgrade again)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS part_search")
        op.execute(
            "CREATE TABLE part_search ("
            " part_id uuid PRIMARY KEY REFERENCES parts(id) ON DELETE CASCADE,"
            " tsv tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_part_search_tsv ON part_search USING gin (tsv)")
        return
    op.execute("DROP TRIGGER IF EXISTS part_search_docs_ai")
    op.execute("DROP TRIGGER IF EXISTS part_search_docs_ad")
    op.execute("DROP TABLE IF EXISTS part_search")
    op.execute("DROP TABLE IF EXISTS part_search_docs")
    op.execute(
        "CREATE TABLE part_search_docs ("
        " rowid INTEGER PRIMARY KEY, part_id CHAR(32) NOT NULL UNIQUE, zh TEXT NOT NULL, en TEXT NOT NULL)"
    )
    op.execute(
        "CREATE VIRTUAL TABLE part_search USING fts5(zh, en, content='part_search_docs', content_rowid='rowid',"
        " tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER part_search_docs_ai AFTER INSERT ON part_search_docs BEGIN"
        " INSERT INTO part_search(rowid, zh, en) VALUES (new.rowid, new.zh, new.en); END"
    )
    op.execute(
        "CREATE TRIGGER part_search_docs_ad AFTER DELETE ON part_search_docs BEGIN"
        " INSERT INTO part_search(part_search, rowid, zh, en) VALUES ('delete', old.rowid, old.zh, old.en); END"
    )

"""catalogue and vehicles

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 13:50:23.333388
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brands",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_zh", sa.String(length=80), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=60), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brands")),
        sa.UniqueConstraint("code", name=op.f("uq_brands_code")),
    )
    op.create_table(
        "part_categories",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("name_zh", sa.String(length=80), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["part_categories.id"], name=op.f("fk_part_categories_parent_id_part_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_categories")),
        sa.UniqueConstraint("code", name=op.f("uq_part_categories_code")),
    )
    with op.batch_alter_table("part_categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_part_categories_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_part_categories_path"), ["path"], unique=False)

    op.create_table(
        "search_terms",
        sa.Column("term", sa.String(length=60), nullable=False),
        sa.Column("freq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_terms")),
    )
    op.create_table(
        "vehicle_makes",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_zh", sa.String(length=80), nullable=True),
        sa.Column("country", sa.String(length=60), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_makes")),
        sa.UniqueConstraint("name", name=op.f("uq_vehicle_makes_name")),
    )
    op.create_table(
        "parts",
        sa.Column("sku", sa.String(length=80), nullable=False),
        sa.Column("brand_id", sa.Uuid(), nullable=False),
        sa.Column("brand_number", sa.String(length=60), nullable=False),
        sa.Column("brand_number_norm", sa.String(length=60), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column(
            "quality_grade",
            sa.Enum(
                "oe",
                "oem",
                "aftermarket",
                "remanufactured",
                "dismantled",
                name="quality_grade",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.String(length=40), nullable=True),
        sa.Column("material", sa.String(length=80), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "images",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("active", "discontinued", name="part_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["brand_id"], ["brands.id"], name=op.f("fk_parts_brand_id_brands")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["part_categories.id"], name=op.f("fk_parts_category_id_part_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parts")),
        sa.UniqueConstraint(
            "brand_id", "brand_number_norm", name=op.f("uq_parts_brand_id_brand_number_norm")
        ),
        sa.UniqueConstraint("sku", name=op.f("uq_parts_sku")),
    )
    with op.batch_alter_table("parts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parts_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_parts_category_id"), ["category_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_parts_group_id"), ["group_id"], unique=False)

    op.create_table(
        "vehicle_models",
        sa.Column("make_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_zh", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["make_id"], ["vehicle_makes.id"], name=op.f("fk_vehicle_models_make_id_vehicle_makes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_models")),
        sa.UniqueConstraint("make_id", "name", name=op.f("uq_vehicle_models_make_id_name")),
    )
    with op.batch_alter_table("vehicle_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vehicle_models_make_id"), ["make_id"], unique=False)

    op.create_table(
        "part_numbers",
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "oe",
                "brand",
                "trade",
                "aftermarket",
                "replacement",
                "ean",
                name="number_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("number_norm", sa.String(length=60), nullable=False),
        sa.Column("brand_code", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=True),
        sa.Column("confidence", sa.SmallInteger(), nullable=False),
        sa.Column("successor_norm", sa.String(length=60), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_part_numbers_part_id_parts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_numbers")),
        sa.UniqueConstraint(
            "part_id",
            "kind",
            "number_norm",
            "brand_code",
            name=op.f("uq_part_numbers_part_id_kind_number_norm_brand_code"),
        ),
    )
    with op.batch_alter_table("part_numbers", schema=None) as batch_op:
        batch_op.create_index("ix_part_numbers_number_norm", ["number_norm"], unique=False)
        batch_op.create_index(batch_op.f("ix_part_numbers_part_id"), ["part_id"], unique=False)

    op.create_table(
        "vehicle_generations",
        sa.Column("model_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("year_from", sa.Integer(), nullable=False),
        sa.Column("year_to", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"], ["vehicle_models.id"], name=op.f("fk_vehicle_generations_model_id_vehicle_models")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_generations")),
        sa.UniqueConstraint("model_id", "name", name=op.f("uq_vehicle_generations_model_id_name")),
    )
    with op.batch_alter_table("vehicle_generations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vehicle_generations_model_id"), ["model_id"], unique=False)

    op.create_table(
        "vehicle_variants",
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("generation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("engine_code", sa.String(length=40), nullable=True),
        sa.Column("displacement_cc", sa.Integer(), nullable=True),
        sa.Column("fuel_type", sa.String(length=16), nullable=False),
        sa.Column("transmission", sa.String(length=40), nullable=True),
        sa.Column("body", sa.String(length=40), nullable=True),
        sa.Column("power_kw", sa.Integer(), nullable=True),
        sa.Column("year_from", sa.Integer(), nullable=False),
        sa.Column("year_to", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["generation_id"],
            ["vehicle_generations.id"],
            name=op.f("fk_vehicle_variants_generation_id_vehicle_generations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vehicle_variants")),
        sa.UniqueConstraint("code", name=op.f("uq_vehicle_variants_code")),
        sa.UniqueConstraint("generation_id", "name", name=op.f("uq_vehicle_variants_generation_id_name")),
    )
    with op.batch_alter_table("vehicle_variants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vehicle_variants_engine_code"), ["engine_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_vehicle_variants_generation_id"), ["generation_id"], unique=False
        )

    op.create_table(
        "fitments",
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.String(length=40), nullable=True),
        sa.Column("year_from", sa.Integer(), nullable=True),
        sa.Column("year_to", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_fitments_part_id_parts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"], ["vehicle_variants.id"], name=op.f("fk_fitments_variant_id_vehicle_variants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fitments")),
        sa.UniqueConstraint("variant_id", "part_id", name=op.f("uq_fitments_variant_id_part_id")),
    )
    with op.batch_alter_table("fitments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fitments_part_id"), ["part_id"], unique=False)

    op.create_table(
        "vin_patterns",
        sa.Column("pattern", sa.String(length=17), nullable=False),
        sa.Column("wmi", sa.String(length=3), nullable=False),
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["variant_id"], ["vehicle_variants.id"], name=op.f("fk_vin_patterns_variant_id_vehicle_variants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vin_patterns")),
        sa.UniqueConstraint("pattern", "variant_id", name=op.f("uq_vin_patterns_pattern_variant_id")),
    )
    with op.batch_alter_table("vin_patterns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vin_patterns_variant_id"), ["variant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vin_patterns_wmi"), ["wmi"], unique=False)

    _full_text_search()


def _full_text_search() -> None:
    """The full-text index over parts (decision 0002), kept in step by ``catalog.search.index_parts``.
    `zh` holds Chinese as overlapping character bigrams plus single characters; `en` holds English
    words, brand names and attributes.

    SQLite: an FTS5 index over an external-content table ``part_search_docs`` (its unique ``part_id``
    makes replacing one part's document an index lookup; triggers keep FTS5 in step).
    PostgreSQL: a ``tsvector`` per part with a GIN index."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE part_search ("
            " part_id uuid PRIMARY KEY REFERENCES parts(id) ON DELETE CASCADE,"
            " tsv tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_part_search_tsv ON part_search USING gin (tsv)")
        return
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


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS part_search")
    op.execute("DROP TABLE IF EXISTS part_search_docs")
    with op.batch_alter_table("vin_patterns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vin_patterns_wmi"))
        batch_op.drop_index(batch_op.f("ix_vin_patterns_variant_id"))

    op.drop_table("vin_patterns")
    with op.batch_alter_table("fitments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fitments_part_id"))

    op.drop_table("fitments")
    with op.batch_alter_table("vehicle_variants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicle_variants_generation_id"))
        batch_op.drop_index(batch_op.f("ix_vehicle_variants_engine_code"))

    op.drop_table("vehicle_variants")
    with op.batch_alter_table("vehicle_generations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicle_generations_model_id"))

    op.drop_table("vehicle_generations")
    with op.batch_alter_table("part_numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_part_numbers_part_id"))
        batch_op.drop_index("ix_part_numbers_number_norm")

    op.drop_table("part_numbers")
    with op.batch_alter_table("vehicle_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vehicle_models_make_id"))

    op.drop_table("vehicle_models")
    with op.batch_alter_table("parts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parts_group_id"))
        batch_op.drop_index(batch_op.f("ix_parts_category_id"))
        batch_op.drop_index(batch_op.f("ix_parts_brand_id"))

    op.drop_table("parts")
    op.drop_table("vehicle_makes")
    op.drop_table("search_terms")
    with op.batch_alter_table("part_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_part_categories_path"))
        batch_op.drop_index(batch_op.f("ix_part_categories_parent_id"))

    op.drop_table("part_categories")
    op.drop_table("brands")

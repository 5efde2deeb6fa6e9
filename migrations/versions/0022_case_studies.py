"""case studies: a delegation's structured account of one practice, reviewed, published

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-02 15:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0019"
branch_labels = None
depends_on = None

SECTIONS = ("context", "challenge", "measures", "agencies", "result", "lessons")


def upgrade():
    texts = []
    for name in SECTIONS:
        texts += [
            sa.Column(name, sa.Text(), nullable=False),
            sa.Column(f"{name}_html", sa.Text(), nullable=True),
        ]
    op.create_table(
        "case_study",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("is_attributed", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "returned",
                "published",
                "withdrawn",
                name="case_study_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        *texts,
        sa.Column("contact_user_id", sa.Integer(), nullable=True),
        sa.Column("contact_text", sa.String(length=300), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_reason", sa.String(length=1000), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["room_id"], ["room.id"], ondelete="CASCADE", name=op.f("fk_case_study_room_id_room")
        ),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegation.id"],
            name=op.f("fk_case_study_delegation_id_delegation"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["user.id"], name=op.f("fk_case_study_submitted_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["contact_user_id"], ["user.id"], name=op.f("fk_case_study_contact_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_case_study_decided_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["user.id"], name=op.f("fk_case_study_withdrawn_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_study")),
    )
    with op.batch_alter_table("case_study", schema=None) as batch_op:
        batch_op.create_index("ix_case_study_room_status", ["room_id", "status"], unique=False)
        batch_op.create_index(
            "ix_case_study_status_published", ["status", "published_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_study_delegation_id"), ["delegation_id"], unique=False
        )


def downgrade():
    # Their tags name them by table: remove those with the table.
    op.execute("DELETE FROM taxonomy_tag WHERE subject_type = 'case_study'")
    op.execute("DELETE FROM taxonomy_article WHERE subject_type = 'case_study'")
    with op.batch_alter_table("case_study", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_study_delegation_id"))
        batch_op.drop_index("ix_case_study_status_published")
        batch_op.drop_index("ix_case_study_room_status")
    op.drop_table("case_study")

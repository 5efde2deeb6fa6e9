"""meetings: screen links, the screen's choice, the Chatham House Rule, presence at the desk

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 15:00:00.000000

A meeting may be held under the Chatham House Rule and shows one of several screens on the
projector, which opens by a revocable screen link (its token stored as SHA-256 only).
Attendance records the person's delegation (for the participation report) and whether the
desk marked it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'is_chatham_house', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column(
            'screen_mode',
            sa.Enum('speakers', 'agenda', 'paragraph', name='screen_mode', native_enum=False,
                    create_constraint=True, length=32),
            nullable=False, server_default='speakers'))
        batch_op.add_column(sa.Column('screen_paper_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('screen_paragraph_key', sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_meeting_screen_paper_id_paper'), 'paper', ['screen_paper_id'], ['id'],
            ondelete='SET NULL')

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delegation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('marked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column(
            'is_recorded_at_desk', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key(
            batch_op.f('fk_attendance_delegation_id_delegation'), 'delegation',
            ['delegation_id'], ['id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_attendance_marked_by_id_user'), 'user', ['marked_by_id'], ['id'],
            ondelete='SET NULL')
        batch_op.create_index(
            batch_op.f('ix_attendance_delegation_id'), ['delegation_id'], unique=False)
    # Earlier rows: the person's delegation now (the best there is).
    op.execute(
        'UPDATE attendance SET delegation_id = '
        '(SELECT "user".delegation_id FROM "user" WHERE "user".id = attendance.user_id)'
    )

    op.create_table('screen_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_screen_link_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_screen_link_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_screen_link_revoked_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screen_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_screen_link_token_hash'))
    )
    with op.batch_alter_table('screen_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screen_link_meeting_id'), ['meeting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('screen_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screen_link_meeting_id'))
    op.drop_table('screen_link')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_delegation_id'))
        batch_op.drop_constraint(batch_op.f('fk_attendance_marked_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(
            batch_op.f('fk_attendance_delegation_id_delegation'), type_='foreignkey')
        batch_op.drop_column('is_recorded_at_desk')
        batch_op.drop_column('marked_by_id')
        batch_op.drop_column('delegation_id')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meeting_screen_paper_id_paper'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_meeting_screen_mode'), type_='check')
        batch_op.drop_column('screen_paragraph_key')
        batch_op.drop_column('screen_paper_id')
        batch_op.drop_column('screen_mode')
        batch_op.drop_column('is_chatham_house')

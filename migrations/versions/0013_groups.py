"""groups of delegations with a coordinator; paper kinds for national papers and statements

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 12:00:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OLD_KINDS = ('working_paper', 'background_paper', 'draft_decision', 'chair_draft_report',
             'voluntary_guide')
NEW_KINDS = OLD_KINDS + ('national_paper', 'national_experience', 'group_statement')


REGIONAL_GROUPS = (
    ('african', 'african-group', 'African Group'),
    ('asia_pacific', 'asia-pacific-group', 'Asia-Pacific Group'),
    ('eastern_european', 'eastern-european-group', 'Eastern European Group'),
    ('grulac', 'grulac', 'Group of Latin American and Caribbean States (GRULAC)'),
    ('weog', 'weog', 'Western European and Others Group (WEOG)'),
)


def _kinds(kinds):
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade():
    op.create_table(
        'delegation_group',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.Enum('regional', 'defined', name='group_kind', native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
        sa.Column('regional_group', sa.Enum('african', 'asia_pacific', 'eastern_european',
                                            'grulac', 'weog', name='regional_group',
                                            native_enum=False, create_constraint=True,
                                            length=32), nullable=True),
        sa.Column('coordinator_id', sa.Integer(), nullable=True),
        sa.Column('room_id', sa.Integer(), nullable=True),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['coordinator_id'], ['delegation.id'],
                                name=op.f('fk_delegation_group_coordinator_id_delegation')),
        sa.ForeignKeyConstraint(['room_id'], ['room.id'], ondelete='SET NULL',
                                name=op.f('fk_delegation_group_room_id_room')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delegation_group')),
        sa.UniqueConstraint('slug', name=op.f('uq_delegation_group_slug')),
        sa.UniqueConstraint('name', name=op.f('uq_delegation_group_name')),
        sa.UniqueConstraint('regional_group', name=op.f('uq_delegation_group_regional_group')),
    )
    op.create_table(
        'delegation_group_member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['group_id'], ['delegation_group.id'], ondelete='CASCADE',
                                name=op.f('fk_delegation_group_member_group_id_delegation_group')),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'],
                                name=op.f('fk_delegation_group_member_delegation_id_delegation')),
        sa.ForeignKeyConstraint(['added_by_id'], ['user.id'],
                                name=op.f('fk_delegation_group_member_added_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delegation_group_member')),
        sa.UniqueConstraint('group_id', 'delegation_id', name='one_listing_per_group'),
    )
    with op.batch_alter_table('delegation_group_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegation_group_member_group_id'), ['group_id'])
        batch_op.create_index(batch_op.f('ix_delegation_group_member_delegation_id'),
                              ['delegation_id'])
    # The five UN regional groups always exist (their members follow the delegations' regional
    # group); the Secretariat names their coordinators and defines other groups.
    groups = sa.table(
        'delegation_group',
        sa.column('slug'), sa.column('name'), sa.column('kind'), sa.column('regional_group'),
        sa.column('is_active'), sa.column('created_at'),
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(groups, [
        {'slug': slug, 'name': name, 'kind': 'regional', 'regional_group': value,
         'is_active': True, 'created_at': now}
        for value, slug, name in REGIONAL_GROUPS
    ])
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_paper_paper_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_paper_paper_kind'), _kinds(NEW_KINDS))
    # "On behalf of a group" is confirmed by the group (pending until then).
    for table in ('comment', 'floor_request'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('on_behalf_group_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('group_confirmed_at', sa.DateTime(timezone=True),
                                          nullable=True))
            batch_op.add_column(sa.Column('group_confirmed_by_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_on_behalf_group_id'),
                                  ['on_behalf_group_id'])
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_on_behalf_group_id_delegation_group'),
                'delegation_group', ['on_behalf_group_id'], ['id'])
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_group_confirmed_by_id_user'),
                'user', ['group_confirmed_by_id'], ['id'])


def downgrade():
    for table in ('comment', 'floor_request'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f'fk_{table}_on_behalf_group_id_delegation_group'), type_='foreignkey')
            batch_op.drop_constraint(
                batch_op.f(f'fk_{table}_group_confirmed_by_id_user'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_on_behalf_group_id'))
            batch_op.drop_column('group_confirmed_by_id')
            batch_op.drop_column('group_confirmed_at')
            batch_op.drop_column('on_behalf_group_id')
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_paper_paper_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_paper_paper_kind'), _kinds(OLD_KINDS))
    op.drop_table('delegation_group_member')
    op.drop_table('delegation_group')

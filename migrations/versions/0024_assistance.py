"""needs and assistance: requests and offers of assistance, shares, matches, status moves,
the Voluntary Trust Fund's calls

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

KINDS = ('open', 'matched', 'in_progress', 'completed', 'withdrawn')


def _enum(name, values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _visibility():
    return _enum('assistance_visibility', ('private', 'open'))


def _fk(table, column, target, ondelete=None):
    return sa.ForeignKeyConstraint(
        [column], [f'{target}.id'], ondelete=ondelete,
        name=op.f(f'fk_{table}_{column}_{target}'))


def upgrade():
    op.create_table(
        'assistance_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('description_html', sa.Text(), nullable=True),
        sa.Column('kinds', sa.JSON(), nullable=False),
        sa.Column('visibility', _visibility(), nullable=False),
        sa.Column('status', _enum('assistance_status', KINDS), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        _fk('assistance_request', 'delegation_id', 'delegation'),
        _fk('assistance_request', 'created_by_id', 'user'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_request')),
    )
    with op.batch_alter_table('assistance_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_request_delegation_id'),
                              ['delegation_id'], unique=False)
        batch_op.create_index('ix_assistance_request_status', ['status', 'created_at'],
                              unique=False)
    op.create_table(
        'assistance_offer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('description_html', sa.Text(), nullable=True),
        sa.Column('kinds', sa.JSON(), nullable=False),
        sa.Column('visibility', _visibility(), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        _fk('assistance_offer', 'delegation_id', 'delegation'),
        _fk('assistance_offer', 'created_by_id', 'user'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_offer')),
    )
    with op.batch_alter_table('assistance_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_offer_delegation_id'),
                              ['delegation_id'], unique=False)
    op.create_table(
        'assistance_share',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('shared_by_id', sa.Integer(), nullable=False),
        sa.Column('shared_at', sa.DateTime(timezone=True), nullable=False),
        _fk('assistance_share', 'request_id', 'assistance_request', 'CASCADE'),
        _fk('assistance_share', 'delegation_id', 'delegation'),
        _fk('assistance_share', 'shared_by_id', 'user'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_share')),
        sa.UniqueConstraint('request_id', 'delegation_id', name='one_share'),
    )
    with op.batch_alter_table('assistance_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_share_request_id'), ['request_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_assistance_share_delegation_id'),
                              ['delegation_id'], unique=False)
    op.create_table(
        'assistance_match',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        _fk('assistance_match', 'request_id', 'assistance_request', 'CASCADE'),
        _fk('assistance_match', 'room_id', 'room'),
        _fk('assistance_match', 'created_by_id', 'user'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_match')),
    )
    with op.batch_alter_table('assistance_match', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_match_request_id'), ['request_id'],
                              unique=False)
    op.create_table(
        'assistance_match_offer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=False),
        _fk('assistance_match_offer', 'match_id', 'assistance_match', 'CASCADE'),
        _fk('assistance_match_offer', 'offer_id', 'assistance_offer'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_match_offer')),
        sa.UniqueConstraint('match_id', 'offer_id',
                            name='one_offer_per_match'),
    )
    with op.batch_alter_table('assistance_match_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_match_offer_match_id'), ['match_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_assistance_match_offer_offer_id'), ['offer_id'],
                              unique=False)
    op.create_table(
        'assistance_status_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('from_status', _enum('assistance_from_status', KINDS), nullable=True),
        sa.Column('to_status', _enum('assistance_to_status', KINDS), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk('assistance_status_change', 'request_id', 'assistance_request', 'CASCADE'),
        _fk('assistance_status_change', 'actor_id', 'user'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_status_change')),
    )
    with op.batch_alter_table('assistance_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_status_change_request_id'),
                              ['request_id'], unique=False)
    op.create_table(
        'assistance_vtf_call',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=False),
        sa.Column('deadline_on', sa.Date(), nullable=False),
        sa.Column('link', sa.String(length=500), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk('assistance_vtf_call', 'created_by_id', 'user'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_vtf_call')),
    )


def downgrade():
    op.drop_table('assistance_vtf_call')
    op.drop_table('assistance_status_change')
    op.drop_table('assistance_match_offer')
    op.drop_table('assistance_match')
    op.drop_table('assistance_share')
    op.drop_table('assistance_offer')
    op.drop_table('assistance_request')

"""questionnaires: questions, delegations' responses, submitted answers and their history

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'questionnaire',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('introduction', sa.Text(), nullable=False),
        sa.Column('introduction_html', sa.Text(), nullable=True),
        sa.Column('is_shared_with_room', sa.Boolean(), nullable=False),
        sa.Column('attribution', sa.String(length=20), nullable=False),
        sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('paper_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['room.id'], ondelete='CASCADE',
                                name=op.f('fk_questionnaire_room_id_room')),
        sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], ondelete='SET NULL',
                                name=op.f('fk_questionnaire_paper_id_paper')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_questionnaire_created_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire')),
    )
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_room_id'), ['room_id'], unique=False)

    op.create_table(
        'questionnaire_question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('text_html', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], ondelete='CASCADE',
                                name=op.f('fk_questionnaire_question_questionnaire_id_questionnaire')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_question')),
    )
    with op.batch_alter_table('questionnaire_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_question_questionnaire_id'),
                              ['questionnaire_id'], unique=False)

    op.create_table(
        'questionnaire_response',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('draft', sa.JSON(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('designated_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('amended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], ondelete='CASCADE',
                                name=op.f('fk_questionnaire_response_questionnaire_id_questionnaire')),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], ondelete='CASCADE',
                                name=op.f('fk_questionnaire_response_delegation_id_delegation')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'],
                                name=op.f('fk_questionnaire_response_updated_by_id_user')),
        sa.ForeignKeyConstraint(['designated_id'], ['user.id'],
                                name=op.f('fk_questionnaire_response_designated_id_user')),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'],
                                name=op.f('fk_questionnaire_response_submitted_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_response')),
        sa.UniqueConstraint('questionnaire_id', 'delegation_id',
                            name='one_response_per_delegation'),
    )
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_response_questionnaire_id'),
                              ['questionnaire_id'], unique=False)

    op.create_table(
        'questionnaire_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['response_id'], ['questionnaire_response.id'], ondelete='CASCADE',
                                name=op.f('fk_questionnaire_answer_response_id_questionnaire_response')),
        sa.ForeignKeyConstraint(['question_id'], ['questionnaire_question.id'], ondelete='CASCADE',
                                name=op.f('fk_questionnaire_answer_question_id_questionnaire_question')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_answer')),
        sa.UniqueConstraint('response_id', 'question_id',
                            name='one_answer_each'),
    )
    with op.batch_alter_table('questionnaire_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_answer_response_id'), ['response_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_questionnaire_answer_question_id'), ['question_id'],
                              unique=False)

    op.create_table(
        'questionnaire_response_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('previous', sa.JSON(), nullable=False),
        sa.Column('current', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['response_id'], ['questionnaire_response.id'], ondelete='CASCADE',
                                name=op.f('fk_questionnaire_response_change_response_id_questionnaire_response')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_questionnaire_response_change_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_response_change')),
    )
    with op.batch_alter_table('questionnaire_response_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_response_change_response_id'),
                              ['response_id'], unique=False)


def downgrade():
    op.drop_table('questionnaire_response_change')
    op.drop_table('questionnaire_answer')
    op.drop_table('questionnaire_response')
    op.drop_table('questionnaire_question')
    op.drop_table('questionnaire')

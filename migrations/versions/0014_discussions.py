"""discussions: topics, their posts, edits, attachments and read markers

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'discussion_topic',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('is_chatham_house', sa.Boolean(), nullable=False),
        sa.Column('is_pinned', sa.Boolean(), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['room.id'], ondelete='CASCADE',
                                name=op.f('fk_discussion_topic_room_id_room')),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'],
                                name=op.f('fk_discussion_topic_author_id_user')),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'],
                                name=op.f('fk_discussion_topic_delegation_id_delegation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_topic')),
    )
    with op.batch_alter_table('discussion_topic', schema=None) as batch_op:
        batch_op.create_index('ix_discussion_topic_room_activity',
                              ['room_id', 'last_activity_at'], unique=False)

    op.create_table(
        'discussion_post',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('is_opening', sa.Boolean(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('reply_to_id', sa.Integer(), nullable=True),
        sa.Column('quote_of_id', sa.Integer(), nullable=True),
        sa.Column('depth', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('hidden_reason', sa.String(length=300), nullable=True),
        sa.Column('hidden_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['topic_id'], ['discussion_topic.id'], ondelete='CASCADE',
                                name=op.f('fk_discussion_post_topic_id_discussion_topic')),
        sa.ForeignKeyConstraint(['parent_id'], ['discussion_post.id'],
                                name=op.f('fk_discussion_post_parent_id_discussion_post')),
        sa.ForeignKeyConstraint(['reply_to_id'], ['discussion_post.id'],
                                name=op.f('fk_discussion_post_reply_to_id_discussion_post')),
        sa.ForeignKeyConstraint(['quote_of_id'], ['discussion_post.id'],
                                name=op.f('fk_discussion_post_quote_of_id_discussion_post')),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'],
                                name=op.f('fk_discussion_post_author_id_user')),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'],
                                name=op.f('fk_discussion_post_delegation_id_delegation')),
        sa.ForeignKeyConstraint(['hidden_by_id'], ['user.id'],
                                name=op.f('fk_discussion_post_hidden_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_post')),
    )
    with op.batch_alter_table('discussion_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_post_topic_id'), ['topic_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_discussion_post_author_id'), ['author_id'],
                              unique=False)

    op.create_table(
        'discussion_post_edit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['discussion_post.id'], ondelete='CASCADE',
                                name=op.f('fk_discussion_post_edit_post_id_discussion_post')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_post_edit')),
    )
    with op.batch_alter_table('discussion_post_edit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_post_edit_post_id'), ['post_id'],
                              unique=False)

    op.create_table(
        'discussion_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['discussion_post.id'], ondelete='CASCADE',
                                name=op.f('fk_discussion_attachment_post_id_discussion_post')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_attachment')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_discussion_attachment_stored_name')),
    )
    with op.batch_alter_table('discussion_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_attachment_post_id'), ['post_id'],
                              unique=False)

    op.create_table(
        'discussion_read',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['topic_id'], ['discussion_topic.id'], ondelete='CASCADE',
                                name=op.f('fk_discussion_read_topic_id_discussion_topic')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                                name=op.f('fk_discussion_read_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_discussion_read')),
        sa.UniqueConstraint('topic_id', 'user_id', name='one_read_marker'),
    )
    with op.batch_alter_table('discussion_read', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_read_user_id'), ['user_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('discussion_read', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_read_user_id'))
    op.drop_table('discussion_read')
    with op.batch_alter_table('discussion_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_attachment_post_id'))
    op.drop_table('discussion_attachment')
    with op.batch_alter_table('discussion_post_edit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_post_edit_post_id'))
    op.drop_table('discussion_post_edit')
    with op.batch_alter_table('discussion_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_post_author_id'))
        batch_op.drop_index(batch_op.f('ix_discussion_post_topic_id'))
    op.drop_table('discussion_post')
    with op.batch_alter_table('discussion_topic', schema=None) as batch_op:
        batch_op.drop_index('ix_discussion_topic_room_activity')
    op.drop_table('discussion_topic')

"""the taxonomy of implementation: stages, sub-topics, transfer activities, tags and articles

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 14:40:00.000000

The seeded list follows the reconfigured WGETI's draft arrangement of its work along the
general stages of Treaty implementation; the Secretariat edits it from /admin/taxonomy.
A paper's Treaty articles (paper_article, since 0017) become article tags.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

STAGES = (
    ('att-domestication', 'ATT domestication',
     'Bringing the Treaty into national law: signature, ratification or accession, and the '
     'legal and regulatory framework that gives effect to it.',
     (('signature-ratification', 'Signature, ratification and accession'),
      ('national-legislation', 'National legislation and regulations'),
      ('scope-article-2', 'Scope of national controls (Article 2)'),
      ('legal-review', 'Review of existing laws and regulations'))),
    ('national-control-system', 'Establishment and maintenance of a national control system',
     'The institutions and lists that make controls work day to day (Article 5).',
     (('national-control-list', 'National control list'),
      ('competent-authority', 'Competent national authority'),
      ('national-point-of-contact', 'National point of contact'),
      ('inter-agency-coordination', 'Inter-agency coordination'),
      ('resources-and-staffing', 'Resources, staffing and training'))),
    ('regulation-of-role-players', 'General regulation of role players',
     'Who may take part in transfers: registration and oversight of exporters, importers, '
     'brokers and others.',
     (('registration-of-traders', 'Registration of exporters and importers'),
      ('brokering-regulation', 'Regulation of brokering (Article 10)'),
      ('transit-regulation', 'Regulation of transit and trans-shipment (Article 9)'),
      ('industry-outreach', 'Outreach to industry'))),
    ('authorisation-of-transfers', 'Application and authorisation of arms transfers',
     'From the licence application to the decision: prohibitions, risk assessment and '
     'mitigation (Articles 6, 7 and 8).',
     (('licensing-procedures', 'Licence application procedures'),
      ('prohibitions-article-6', 'Prohibitions (Article 6)'),
      ('risk-assessment', 'Export assessment and risk assessment (Article 7)'),
      ('mitigation-measures', 'Mitigation measures'),
      ('end-use-documentation', 'End-use and end-user documentation'),
      ('import-controls', 'Import controls (Article 8)'))),
    ('enforcement', 'Enforcement arrangements',
     'Making controls bite: customs, offences and penalties, investigation and cooperation '
     '(Articles 14 and 15).',
     (('customs-and-border-controls', 'Customs and border controls'),
      ('offences-and-penalties', 'Offences and penalties'),
      ('investigation-and-prosecution', 'Investigation and prosecution'),
      ('enforcement-cooperation', 'International cooperation in enforcement'))),
    ('information-management', 'Information management',
     'Keeping and sharing what authorities know (Articles 11, 12 and 15).',
     (('record-keeping', 'Record-keeping (Article 12)'),
      ('information-exchange', 'Information exchange between States'),
      ('diversion-information', 'Information on diversion (Article 11)'))),
    ('accounting-and-reporting', 'Accounting and reporting',
     'Initial and annual reports to the Secretariat (Article 13).',
     (('initial-reports', 'Initial reports'),
      ('annual-reports', 'Annual reports on exports and imports'),
      ('reporting-practice', 'Reporting templates and practice'))),
    ('post-delivery-measures', 'Post-delivery measures',
     'What happens after the arms arrive: verification, stockpiles and re-export '
     '(Article 11).',
     (('delivery-verification-certificates', 'Delivery verification certificates'),
      ('post-shipment-verification', 'Post-shipment on-site verification'),
      ('stockpile-management', 'Stockpile management and security'),
      ('re-export-assurances', 'Re-export assurances'),
      ('diversion-response', 'Detecting and responding to diversion'))),
)

OLD_KINDS = ('working_paper', 'background_paper', 'draft_decision', 'chair_draft_report',
             'voluntary_guide', 'national_paper', 'national_experience', 'group_statement')
NEW_KINDS = OLD_KINDS + ('chair_summary',)


def _kinds(kinds):
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


ACTIVITIES = (
    ('import', 'Import'),
    ('export', 'Export'),
    ('transit', 'Transit'),
    ('transhipment', 'Trans-shipment'),
    ('brokering', 'Brokering'),
)


def upgrade():
    term = op.create_table(
        'taxonomy_term',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('vocabulary', sa.Enum('stage', 'activity', name='vocabulary',
                                        native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['parent_id'], ['taxonomy_term.id'],
                                name=op.f('fk_taxonomy_term_parent_id_taxonomy_term')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_term')),
        sa.UniqueConstraint('slug', name=op.f('uq_taxonomy_term_slug')),
    )
    with op.batch_alter_table('taxonomy_term', schema=None) as batch_op:
        batch_op.create_index('ix_taxonomy_term_parent_position', ['parent_id', 'position'],
                              unique=False)
    op.create_table(
        'taxonomy_tag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject_type', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('term_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['term_id'], ['taxonomy_term.id'],
                                name=op.f('fk_taxonomy_tag_term_id_taxonomy_term')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_tag')),
        sa.UniqueConstraint('subject_type', 'subject_id', 'term_id',
                            name=op.f('uq_taxonomy_tag_subject_type')),
    )
    with op.batch_alter_table('taxonomy_tag', schema=None) as batch_op:
        batch_op.create_index('ix_taxonomy_tag_term', ['term_id', 'subject_type'], unique=False)
    op.create_table(
        'taxonomy_article',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject_type', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('article', sa.Integer(), nullable=False),
        sa.CheckConstraint('article BETWEEN 1 AND 28', name=op.f('ck_taxonomy_article_treaty_article')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_article')),
        sa.UniqueConstraint('subject_type', 'subject_id', 'article',
                            name=op.f('uq_taxonomy_article_subject_type')),
    )
    with op.batch_alter_table('taxonomy_article', schema=None) as batch_op:
        batch_op.create_index('ix_taxonomy_article_article', ['article', 'subject_type'],
                              unique=False)

    now = datetime.now(timezone.utc)
    rows = []
    ident = 0
    for position, (slug, name, description, subtopics) in enumerate(STAGES, start=1):
        ident += 1
        stage_id = ident
        rows.append(dict(id=stage_id, vocabulary='stage', parent_id=None, slug=slug, name=name,
                         description=description, position=position, created_at=now))
        for sub_position, (sub_slug, sub_name) in enumerate(subtopics, start=1):
            ident += 1
            rows.append(dict(id=ident, vocabulary='stage', parent_id=stage_id, slug=sub_slug,
                             name=sub_name, description='', position=sub_position,
                             created_at=now))
    for position, (slug, name) in enumerate(ACTIVITIES, start=1):
        ident += 1
        rows.append(dict(id=ident, vocabulary='activity', parent_id=None, slug=slug, name=name,
                         description='', position=position, created_at=now))
    op.bulk_insert(term, rows)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval('taxonomy_term_id_seq', (SELECT MAX(id) FROM taxonomy_term))")

    op.execute(
        "INSERT INTO taxonomy_article (subject_type, subject_id, article) "
        "SELECT 'paper', paper_id, article FROM paper_article"
    )
    op.drop_table('paper_article')
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_paper_paper_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_paper_paper_kind'), _kinds(NEW_KINDS))


def downgrade():
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_paper_paper_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_paper_paper_kind'), _kinds(OLD_KINDS))
    op.create_table(
        'paper_article',
        sa.Column('paper_id', sa.Integer(), nullable=False),
        sa.Column('article', sa.Integer(), nullable=False),
        sa.CheckConstraint('article BETWEEN 1 AND 28', name=op.f('ck_paper_article_treaty_article')),
        sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], ondelete='CASCADE',
                                name=op.f('fk_paper_article_paper_id_paper')),
        sa.PrimaryKeyConstraint('paper_id', 'article', name=op.f('pk_paper_article')),
    )
    op.execute(
        "INSERT INTO paper_article (paper_id, article) "
        "SELECT subject_id, article FROM taxonomy_article WHERE subject_type = 'paper'"
    )
    op.drop_table('taxonomy_article')
    op.drop_table('taxonomy_tag')
    op.drop_table('taxonomy_term')

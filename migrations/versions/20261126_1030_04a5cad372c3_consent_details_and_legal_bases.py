"""consent details (categories, purpose, who gave it, revocation) and legal bases (four eyes)

Revision ID: 04a5cad372c3
Revises: e270e4ef7575
Create Date: 2026-11-26 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '04a5cad372c3'
down_revision = 'e270e4ef7575'
branch_labels = None
depends_on = None

# Consents recorded before this revision: the intake checkbox said "may receive the data".
_OLD_PURPOSE = 'Weitergabe an die Partnerorganisation zur Beratung (erfasst vor Zweck und Kategorien)'


def upgrade():
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('categories', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('purpose', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('given_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('given_by', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('guardian_names', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('revoked_by', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('revocation_note', sa.Text(), nullable=True))

    consents = sa.table(
        'consents',
        sa.column('categories', sa.JSON()),
        sa.column('purpose', sa.Text()),
        sa.column('given_on', sa.Date()),
        sa.column('given_by', sa.String()),
        sa.column('granted_at', sa.DateTime(timezone=True)),
    )
    op.execute(
        consents.update().values(
            categories=['master_data', 'contact'],
            purpose=_OLD_PURPOSE,
            given_on=sa.func.date(consents.c.granted_at),
            given_by='young_person',
        )
    )

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.alter_column('categories', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('purpose', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('given_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('given_by', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_check_constraint(
            op.f('ck_consents_given_by_known'), "given_by IN ('young_person', 'guardians')"
        )
        batch_op.create_check_constraint(
            op.f('ck_consents_revoked_by_known'),
            "revoked_by IS NULL OR revoked_by IN ('young_person', 'guardians')",
        )
        batch_op.create_check_constraint(
            op.f('ck_consents_guardians_named'), "given_by <> 'guardians' OR guardian_names IS NOT NULL"
        )

    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('youth_office', sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    op.create_table('legal_bases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('basis', sa.String(length=30), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.CheckConstraint("basis IN ('child_protection', 'sgb_x_69_1_1', 'sgb_ii_50', 'sgb_viii_64_2', 'sgb_viii_65_1_4', 'other')", name=op.f('ck_legal_bases_basis_known')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f('ck_legal_bases_status_known')),
    sa.CheckConstraint('decided_by_id IS NULL OR decided_by_id <> requested_by_id', name=op.f('ck_legal_bases_four_eyes')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_legal_bases_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_legal_bases_decided_by_id_users')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_legal_bases_partner_id_partners')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_legal_bases_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_bases'))
    )
    with op.batch_alter_table('legal_bases', schema=None) as batch_op:
        batch_op.create_index('ix_legal_bases_case_id_partner_id', ['case_id', 'partner_id'], unique=False)
        batch_op.create_index('uq_legal_bases_one_pending_per_partner', ['case_id', 'partner_id'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    with op.batch_alter_table('legal_bases', schema=None) as batch_op:
        batch_op.drop_index('uq_legal_bases_one_pending_per_partner', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_legal_bases_case_id_partner_id')
    op.drop_table('legal_bases')

    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_column('youth_office')

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_consents_guardians_named'), type_='check')
        batch_op.drop_constraint(op.f('ck_consents_revoked_by_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_consents_given_by_known'), type_='check')
        batch_op.drop_column('revocation_note')
        batch_op.drop_column('revoked_by')
        batch_op.drop_column('guardian_names')
        batch_op.drop_column('given_by')
        batch_op.drop_column('given_on')
        batch_op.drop_column('purpose')
        batch_op.drop_column('categories')

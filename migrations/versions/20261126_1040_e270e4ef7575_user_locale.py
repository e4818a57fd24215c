"""user locale: the interface language each user chose (German by default)

Revision ID: e270e4ef7575
Revises: ea4c02422f7f
Create Date: 2026-11-26 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e270e4ef7575'
down_revision = 'ea4c02422f7f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=5), server_default='de', nullable=False))
        batch_op.create_check_constraint(op.f('ck_users_locale_known'), "locale IN ('de', 'en')")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_locale_known'), type_='check')
        batch_op.drop_column('locale')

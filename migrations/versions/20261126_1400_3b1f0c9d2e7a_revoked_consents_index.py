"""revoked consents index: the few revoked consents by partner

An advisor's lists ask for every case whether a revoked consent hides it from the
advisor's partner. PostgreSQL answered that with a sequential scan of all consents
(93 ms for "Meine Fälle" at 1,000,000 cases); a partial index holds only the revoked
ones. Measured with ``zentrum bench``.

Revision ID: 3b1f0c9d2e7a
Revises: dc794655cba8
Create Date: 2026-11-26 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b1f0c9d2e7a'
down_revision = 'dc794655cba8'
branch_labels = None
depends_on = None

_REVOKED = sa.text("revoked_at IS NOT NULL")


def upgrade():
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(
            'ix_consents_revoked_partner_id',
            ['partner_id', 'person_id'],
            unique=False,
            sqlite_where=_REVOKED,
            postgresql_where=_REVOKED,
        )


def downgrade():
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index('ix_consents_revoked_partner_id')

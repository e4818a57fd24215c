"""open cases index: the dashboard's open cases by age, without reading the closed ones

The supervisors' dashboard counts the open cases by age. Both databases read an index of
every case for it (177 ms on SQLite, 111 ms on PostgreSQL at 1,000,000 cases, 92,000 of
them open); a partial index holds only the open ones (22 and 15 ms). Measured with
``zentrum bench``. The referrals of a few days are counted by their moment: SQLite
without statistics read the whole partner-first index for it, and every offer's index
for the offers waiting now; a covering partial index holds those.

Revision ID: 7c3d9a1e5f20
Revises: 5e2a7c41b9d3
Create Date: 2026-11-27 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3d9a1e5f20'
down_revision = '5e2a7c41b9d3'
branch_labels = None
depends_on = None

# The text of zentrum.models.case.OPEN_CASE at this revision.
_OPEN = sa.text("status <> 'closed'")
# ... and of zentrum.models.handover.PENDING_OFFER.
_PENDING = sa.text("status = 'pending'")


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(
            'ix_cases_open_created_at',
            ['created_at', 'status'],
            unique=False,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index(
            'ix_handovers_pending',
            ['to_partner_id', 'offered_at', 'offered_week', 'id', 'status'],
            unique=False,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(
            'ix_referrals_referred_at', ['referred_at', 'to_partner_id', 'status'], unique=False
        )


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_referred_at')
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.drop_index('ix_handovers_pending')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_open_created_at')

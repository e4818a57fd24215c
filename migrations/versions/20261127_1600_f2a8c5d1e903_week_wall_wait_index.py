"""week wall wait index: a period's percentiles read the rows of its own weeks

A percentile of the dashboard reads the stored waits of one histogram bucket, in order.
By partner and waiting time alone that walked through the bucket's rows of every year
kept and skipped those outside the period: at a million cases over three years, 7,670
rows of one partner's median bucket for the 81 of a four-week period (0.44 ms against
0.12 ms through the weeks), and ten years kept would walk three times as many. The
reads now name the period's weeks. The working-time waits had an index by partner,
week and waiting time for the weekly chart; the wall-clock waits get one, and the two
indexes by partner and waiting time alone go (SQLite without statistics preferred them,
as they spare the sort, and then looked each row of the bucket up in the table).

Revision ID: f2a8c5d1e903
Revises: e7b3f9a2c461
Create Date: 2026-11-27 16:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f2a8c5d1e903'
down_revision = 'e7b3f9a2c461'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index(
            'ix_handovers_week_wall_wait',
            ['to_partner_id', 'status', 'offered_week', 'wait_seconds', 'offered_at'],
            unique=False,
        )
        batch_op.drop_index('ix_handovers_work_wait')
        batch_op.drop_index('ix_handovers_wall_wait')


def downgrade():
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index(
            'ix_handovers_wall_wait',
            ['to_partner_id', 'status', 'wait_seconds', 'offered_at'],
            unique=False,
        )
        batch_op.create_index(
            'ix_handovers_work_wait',
            ['to_partner_id', 'status', 'wait_business_seconds', 'offered_at'],
            unique=False,
        )
        batch_op.drop_index('ix_handovers_week_wall_wait')

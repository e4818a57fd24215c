"""hour sums by wait: today's hours count their waiting times by value, not by bucket

An hour's sums now hold each wait itself (wait → count) rather than its histogram
bucket, so that the dashboard takes today's summed hours in hand like the rows it counts
itself: an hour summed up or marked stale no longer changes the period's kept sums, and
their percentiles need not be read again. Hours summed by bucket before the upgrade would
read as waits: they are dropped and marked not current; the next refresh (``zentrum
escalate``, every quarter of an hour) sums today's hours again, and until then the
dashboard counts them from the rows. Downgrading drops them the same way.

Revision ID: a3c7e1f95b26
Revises: f2a8c5d1e903
Create Date: 2026-11-27 18:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3c7e1f95b26'
down_revision = 'f2a8c5d1e903'
branch_labels = None
depends_on = None


def _drop_hours():
    op.execute("DELETE FROM report_hour_cube")
    op.execute("DELETE FROM report_hours")


def upgrade():
    _drop_hours()


def downgrade():
    _drop_hours()

"""packed histograms: a histogram of waiting times is one row of the report sums, and
today's hours count the waits themselves

The weekly, daily and hourly sums held a histogram of waiting times as one row per
bucket: a four-week period at a million cases read ~50,000 rows of them (a day ~3,600,
14 ms on SQLite, most of it in making the rows), added up one by one. Each histogram of
a kind and partner is now one row (``key`` empty, ``n`` all its waits) whose new column
``counts`` holds "bucket count bucket count …" in bucket order; the existing sums are
packed that way here, so that nothing has to be summed up again.

An hour's sums now count each wait by its value rather than by its bucket, so that the
dashboard takes today's summed hours in hand like the rows it counts itself: an hour
summed up or marked stale no longer changes the period's kept sums. Hours summed by
bucket would read as waits: they are dropped and the next refresh (``zentrum escalate``,
every quarter of an hour) sums today's hours again; until then the dashboard counts them
from the rows. Downgrading unpacks the weeks and days and drops the hours the same way.

Revision ID: a3c7e1f95b26
Revises: f2a8c5d1e903
Create Date: 2026-11-27 18:00:00

"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a3c7e1f95b26'
down_revision = 'f2a8c5d1e903'
branch_labels = None
depends_on = None

HISTOGRAMS = ('work', 'wall', 'intake_work', 'intake_wall', 'contact_work', 'contact_wall')
# The cubes whose sums are kept across the upgrade, by the column of their week or day.
KEPT = (('report_cube', 'week'), ('report_day_cube', 'day'))
BATCH = 5000


def _cube(name, column):
    return sa.table(
        name,
        sa.column(column),
        sa.column('kind', sa.String),
        sa.column('partner_id', sa.Integer),
        sa.column('key', sa.String),
        sa.column('n', sa.Integer),
        sa.column('counts', sa.Text),
    )


def _drop_hours():
    op.execute("DELETE FROM report_hour_cube")
    op.execute("DELETE FROM report_hours")


def _insert(table, rows):
    for start in range(0, len(rows), BATCH):
        op.bulk_insert(table, rows[start:start + BATCH])


def upgrade():
    _drop_hours()
    for name in ('report_cube', 'report_day_cube', 'report_hour_cube'):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('counts', sa.Text(), nullable=True))
    bind = op.get_bind()
    for name, column in KEPT:
        table = _cube(name, column)
        histograms = defaultdict(dict)
        stmt = sa.select(
            table.c[column], table.c.kind, table.c.partner_id, table.c.key, table.c.n
        ).where(table.c.kind.in_(HISTOGRAMS))
        for first, kind, partner_id, key, n in bind.execute(stmt):
            counts = histograms[(first, kind, partner_id)]
            counts[int(key)] = counts.get(int(key), 0) + n
        bind.execute(table.delete().where(table.c.kind.in_(HISTOGRAMS)))
        rows = [
            {
                column: first,
                'kind': kind,
                'partner_id': partner_id,
                'key': '',
                'n': sum(counts.values()),
                'counts': ' '.join(f'{b} {counts[b]}' for b in sorted(counts) if counts[b]),
            }
            for (first, kind, partner_id), counts in histograms.items()
        ]
        _insert(table, rows)


def downgrade():
    _drop_hours()
    bind = op.get_bind()
    for name, column in KEPT:
        table = _cube(name, column)
        stmt = sa.select(
            table.c[column], table.c.kind, table.c.partner_id, table.c.counts
        ).where(table.c.kind.in_(HISTOGRAMS))
        rows = []
        for first, kind, partner_id, counts in bind.execute(stmt).all():
            numbers = [int(x) for x in (counts or '').split()]
            for bucket, n in zip(numbers[::2], numbers[1::2], strict=True):
                rows.append(
                    {column: first, 'kind': kind, 'partner_id': partner_id,
                     'key': str(bucket), 'n': n, 'counts': None}
                )
        bind.execute(table.delete().where(table.c.kind.in_(HISTOGRAMS)))
        _insert(table, rows)
    for name in ('report_cube', 'report_day_cube', 'report_hour_cube'):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column('counts')

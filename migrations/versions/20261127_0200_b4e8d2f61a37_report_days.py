"""report days: the weekly sums per completed day, for a period's edge days; build tokens

A period rarely starts on a Monday and always ends in the running week; the days no
whole week covers were counted from the rows, which grows with the traffic. The same
counts per completed day let the dashboard read them like the weeks and count only
today from the rows. The tables start empty: every day counts from the rows until
`zentrum report --refresh` builds it, so the figures are right from the first request.

Every build of a week or day draws a random token: an app process keeps the sums it
read under the tokens they were read with, so it never needs to read them again while
they are current, and never uses sums of an older build.

Revision ID: b4e8d2f61a37
Revises: 7c3d9a1e5f20
Create Date: 2026-11-27 02:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4e8d2f61a37'
down_revision = '7c3d9a1e5f20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_day_cube',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'kind', 'partner_id', 'key', name=op.f('pk_report_day_cube'))
    )
    op.create_table('report_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_report_days'))
    )
    with op.batch_alter_table('report_weeks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.BigInteger(), nullable=True))
    # The weeks built so far get their tokens now.
    weeks = sa.table('report_weeks', sa.column('week', sa.Date), sa.column('token', sa.BigInteger))
    connection = op.get_bind()
    for (week,) in connection.execute(sa.select(weeks.c.week)).all():
        connection.execute(
            weeks.update().where(weeks.c.week == week).values(token=secrets.randbits(63))
        )


def downgrade():
    with op.batch_alter_table('report_weeks', schema=None) as batch_op:
        batch_op.drop_column('token')
    op.drop_table('report_days')
    op.drop_table('report_day_cube')

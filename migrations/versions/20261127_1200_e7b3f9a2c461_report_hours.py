"""report hours: the daily sums per completed hour of today

Today was counted from the rows on every dashboard: at a city's daily volume (a million
cases over three years bring ~900 enquiries and ~1,300 offers a day) that made the
dashboard grow with the traffic. The same counts per completed hour of today, built
every quarter of an hour, leave only the last hour or so to the rows. Starts empty:
every hour counts from the rows until the refresh builds it.

Revision ID: e7b3f9a2c461
Revises: d83b5e0c7a14
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b3f9a2c461'
down_revision = 'd83b5e0c7a14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_hour_cube',
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hour', 'kind', 'partner_id', 'key', name=op.f('pk_report_hour_cube'))
    )
    op.create_table('report_hours',
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('hour', name=op.f('pk_report_hours'))
    )


def downgrade():
    op.drop_table('report_hours')
    op.drop_table('report_hour_cube')

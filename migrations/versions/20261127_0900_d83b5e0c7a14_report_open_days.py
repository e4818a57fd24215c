"""report open days: per completed day of the last 120, how many of its cases are still open

The weekly counts of open cases left the last week and the edges of the age bands
(seven days ago, 28, 91) to be counted from the rows: ~16,000 open cases at a million,
2–3 ms on PostgreSQL per dashboard. Daily counts of the same kind cover those, so that
only today and the hours around each edge are counted. Starts empty, like the weeks.

Revision ID: d83b5e0c7a14
Revises: c6f1a9e2d4b8
Create Date: 2026-11-27 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd83b5e0c7a14'
down_revision = 'c6f1a9e2d4b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_open_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('open_cases', sa.Integer(), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_report_open_days'))
    )


def downgrade():
    op.drop_table('report_open_days')

"""report open weeks: per completed week, how many of its cases are still open

The dashboard counts the open cases by age on every request; at a million cases that
was ~100,000 entries of the partial index of open cases, 3–7 ms on SQLite. The counts
per week of recording let it take whole weeks from one small table and count only the
rest from the rows. The table starts empty: every week counts from the rows until
`zentrum report --refresh` builds it, so the figure is right from the first request.

Revision ID: c6f1a9e2d4b8
Revises: b4e8d2f61a37
Create Date: 2026-11-27 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c6f1a9e2d4b8'
down_revision = 'b4e8d2f61a37'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_open_weeks',
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('open_cases', sa.Integer(), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('week', name=op.f('pk_report_open_weeks'))
    )


def downgrade():
    op.drop_table('report_open_weeks')

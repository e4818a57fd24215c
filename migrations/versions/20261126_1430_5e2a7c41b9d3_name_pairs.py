"""name pairs: two words of a name together, for the full-name search

A full name was found by intersecting the people with the first word and those with the
second (thousands each at a million cases, so the search slowed with the data). Each
ordered pair of two words of a name is now a row of its own, and a full name is looked
up by the pair. Existing persons' pairs are filled in here. Measured with
``zentrum bench``.

Revision ID: 5e2a7c41b9d3
Revises: 3b1f0c9d2e7a
Create Date: 2026-11-26 14:30:00

"""
from alembic import op
import sqlalchemy as sa

from zentrum.domain.names import name_pairs, name_tokens


# revision identifiers, used by Alembic.
revision = '5e2a7c41b9d3'
down_revision = '3b1f0c9d2e7a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_name_pairs',
    sa.Column('pair', sa.String(length=420), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_name_pairs_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pair', 'person_id', name=op.f('pk_person_name_pairs'))
    )
    with op.batch_alter_table('person_name_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_name_pairs_person_id'), ['person_id'], unique=False)
    _fill_pairs()


def _fill_pairs():
    """The word pairs of every existing person's name, in batches."""
    connection = op.get_bind()
    persons = sa.table('persons', sa.column('id', sa.Integer), sa.column('name_key', sa.String))
    pairs = sa.table(
        'person_name_pairs', sa.column('pair', sa.String), sa.column('person_id', sa.Integer)
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(persons.c.id, persons.c.name_key)
            .where(persons.c.id > last)
            .order_by(persons.c.id)
            .limit(10_000)
        ).all()
        if not rows:
            return
        values = [
            {'pair': pair, 'person_id': person_id}
            for person_id, key in rows
            for pair in sorted(name_pairs(name_tokens(key)))
        ]
        if values:
            connection.execute(pairs.insert(), values)
        last = rows[-1][0]


def downgrade():
    with op.batch_alter_table('person_name_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_name_pairs_person_id'))
    op.drop_table('person_name_pairs')

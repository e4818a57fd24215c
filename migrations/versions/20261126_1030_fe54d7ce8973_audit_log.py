"""audit log: append-only, hash-chained entries, the chain head, the cases a search showed

On PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE of audit_entries and
audit_case_refs, so that not even a bug or a hand-typed statement of the application's
role changes the log; a superuser can still switch triggers off, which the hash chain
then reveals.

Revision ID: fe54d7ce8973
Revises: 7f2cb372a7ca
Create Date: 2026-11-26 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fe54d7ce8973'
down_revision = '7f2cb372a7ca'
branch_labels = None
depends_on = None

APPEND_ONLY = ('audit_entries', 'audit_case_refs')
REFUSE_FUNCTION = """
CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def upgrade():
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=80), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_entries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_entries_case_id_at', ['case_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entries_person_id_at', ['person_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entries_user_id_at', ['user_id', 'at'], unique=False)

    op.create_table('audit_case_refs',
    sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('entry_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['audit_entries.id'], name=op.f('fk_audit_case_refs_entry_id_audit_entries')),
    sa.PrimaryKeyConstraint('case_id', 'entry_id', name=op.f('pk_audit_case_refs'))
    )

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(REFUSE_FUNCTION)
        for table in APPEND_ONLY:
            op.execute(
                f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} '
                'FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()'
            )
            op.execute(
                f'CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} '
                'FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()'
            )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in APPEND_ONLY:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}')
            op.execute(f'DROP TRIGGER IF EXISTS {table}_append_only ON {table}')
        op.execute('DROP FUNCTION IF EXISTS audit_entries_refuse_change()')
    op.drop_table('audit_case_refs')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_user_id_at')
        batch_op.drop_index('ix_audit_entries_person_id_at')
        batch_op.drop_index('ix_audit_entries_case_id_at')
        batch_op.drop_index('ix_audit_entries_at')

    op.drop_table('audit_entries')
    op.drop_table('audit_chain_head')

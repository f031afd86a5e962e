"""directory gram person: the owner of each gram's field in the gram table's key

A search with two common terms (``観光 主任``) read thousands of candidate fields of the first term
and looked up each person's fields for the second. With ``user_id`` in the primary key
``(gram, user_id, field_id)``, the index lists per gram the people who have it, and the second
term becomes a set of people read once from the index (directory/search.py).

The column is filled from ``directory_field``. PostgreSQL alters the table in place; SQLite, whose
gram table is ``WITHOUT ROWID`` (its primary key is the table), gets a new table that is filled,
then swapped in.

Revision ID: 0009_directory_gram_person
Revises: 0008_directory_speed
Create Date: 2026-11-26 04:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_directory_gram_person'
down_revision = '0008_directory_speed'
branch_labels = None
depends_on = None

_GRAM = sa.String(length=8).with_variant(sa.String(length=8, collation='C'), 'postgresql')


def _sqlite_rebuild(with_user: bool) -> None:
    """A new ``directory_gram`` (with or without ``user_id``) filled from the old one, swapped in."""
    columns = [sa.Column('gram', _GRAM, nullable=False)]
    key = ['gram']
    if with_user:
        columns.append(sa.Column('user_id', sa.Integer(), nullable=False))
        key.append('user_id')
    columns.append(sa.Column('field_id', sa.Integer(), nullable=False))
    key.append('field_id')
    constraints = [sa.ForeignKeyConstraint(['field_id'], ['directory_field.id'], ondelete='CASCADE',
                                           name='fk_directory_gram_field_id_directory_field'),
                   sa.PrimaryKeyConstraint(*key, name='pk_directory_gram')]
    if with_user:
        constraints.insert(0, sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE',
                                                      name='fk_directory_gram_user_id_user'))
    op.create_table('directory_gram_next', *columns, *constraints, sqlite_with_rowid=False)
    if with_user:
        op.execute("INSERT INTO directory_gram_next (gram, user_id, field_id) "
                   "SELECT g.gram, f.user_id, g.field_id FROM directory_gram g "
                   "JOIN directory_field f ON f.id = g.field_id")
    else:
        op.execute("INSERT INTO directory_gram_next (gram, field_id) "
                   "SELECT gram, field_id FROM directory_gram")
    op.drop_index('ix_directory_gram_field_id', table_name='directory_gram')
    op.drop_table('directory_gram')
    op.rename_table('directory_gram_next', 'directory_gram')
    op.create_index('ix_directory_gram_field_id', 'directory_gram', ['field_id'], unique=False)


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_rebuild(with_user=True)
        op.execute('ANALYZE directory_gram')  # a new table has no statistics; the search's plan needs them
        return
    op.add_column('directory_gram', sa.Column('user_id', sa.Integer(), nullable=True))
    op.execute('UPDATE directory_gram g SET user_id = f.user_id '
               'FROM directory_field f WHERE f.id = g.field_id')
    op.alter_column('directory_gram', 'user_id', nullable=False)
    op.drop_constraint('pk_directory_gram', 'directory_gram', type_='primary')
    op.create_primary_key('pk_directory_gram', 'directory_gram', ['gram', 'user_id', 'field_id'])
    op.create_foreign_key('fk_directory_gram_user_id_user', 'directory_gram', 'user', ['user_id'], ['id'],
                          ondelete='CASCADE')
    op.execute('ANALYZE directory_gram')


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_rebuild(with_user=False)
        return
    op.drop_constraint('fk_directory_gram_user_id_user', 'directory_gram', type_='foreignkey')
    op.drop_constraint('pk_directory_gram', 'directory_gram', type_='primary')
    op.drop_column('directory_gram', 'user_id')
    op.create_primary_key('pk_directory_gram', 'directory_gram', ['gram', 'field_id'])

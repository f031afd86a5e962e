"""directory speed: Latin trigrams in the directory gram table

The directory search (directory/search.py) starts a Latin term of 3+ characters from its rarest
trigram: romaji bigrams such as ``sa`` or ``to`` are in most names. This fills in the trigrams
(``core.search.latin_trigrams``: 3 characters of ``a-z0-9`` within one ``|``-separated part) for
the keys already indexed; new keys get them from ``directory.index.field_grams``. Downgrade removes
them (bigrams are always 2 characters, so the 3-character rows are exactly these).

Revision ID: 0008_directory_speed
Revises: 0007
Create Date: 2026-11-26 01:10:00

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_directory_speed'
down_revision = '0007'
branch_labels = None
depends_on = None

_TRIGRAM = re.compile(r"(?=([a-z0-9]{3}))")  # as core.search.latin_trigrams (kept here: migrations are frozen)
_BATCH = 5000

field = sa.table("directory_field", sa.column("id", sa.Integer), sa.column("key", sa.Text))
gram = sa.table("directory_gram", sa.column("gram", sa.String), sa.column("field_id", sa.Integer))


def _trigrams(key: str) -> set[str]:
    out: set[str] = set()
    for part in key.split("|"):
        out.update(m.group(1) for m in _TRIGRAM.finditer(part))
    return out


def upgrade():
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.select(field.c.id, field.c.key).where(field.c.id > last)
                            .order_by(field.c.id).limit(_BATCH)).all()
        if not rows:
            break
        last = rows[-1][0]
        new = [{"gram": g, "field_id": fid} for fid, key in rows for g in sorted(_trigrams(key or ""))]
        if new:
            conn.execute(gram.insert(), new)


def downgrade():
    op.execute(gram.delete().where(sa.func.length(gram.c.gram) == 3))

"""Alembic autogenerate against litewire, unmodified: a first revision creates the schema,
a second one made after a model change holds only that change (autogenerate compares
the models with what the SQLAlchemy inspector reads back from pg_catalog), and
`downgrade base` removes everything again."""

import pathlib
import shutil

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine, inspect

alembic = pytest.importorskip("alembic")

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

# env.py for the test's script directory: the models come from config.attributes.
ENV_PY = '''
from alembic import context

config = context.config
engine = config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection,
                      target_metadata=config.attributes["metadata"])
    with context.begin_transaction():
        context.run_migrations()
'''


def models(version):
    """The application's tables: version 2 adds a column, an index and a CHECK."""
    m = sa.MetaData()
    sa.Table(
        "account", m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(120), nullable=False, unique=True),
        sa.Column("created", sa.DateTime(timezone=True)),
    )
    post = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text),
        sa.Index("ix_post_title", "title"),
    ]
    if version >= 2:
        post += [
            sa.Column("score", sa.Numeric(6, 2)),
            sa.Index("ix_post_account_score", "account_id", "score"),
        ]
    sa.Table("post", m, *post)
    return m


@pytest.fixture
def engine(host, port, dbname, user):
    e = create_engine(f"postgresql+psycopg://{user}@{host}:{port}/{dbname}",
                      use_native_hstore=False)
    yield e
    e.dispose()


def config(tmp_path, engine, metadata):
    cfg = Config()
    cfg.set_main_option("script_location", str(tmp_path / "migrations"))
    cfg.attributes["engine"] = engine
    cfg.attributes["metadata"] = metadata
    return cfg


def upgrade_ops(script):
    """The body of a revision file's upgrade()."""
    text = open(script.path).read()
    return text.split("def upgrade()")[1].split("def downgrade()")[0]


def script_directory(where):
    """A migrations directory: Alembic's own revision template, our env.py."""
    (where / "versions").mkdir(parents=True)
    template = pathlib.Path(alembic.__file__).parent / "templates" / "generic"
    shutil.copy(template / "script.py.mako", where / "script.py.mako")
    (where / "env.py").write_text(ENV_PY)


def test_autogenerate_twice_then_downgrade_base(tmp_path, engine):
    cfg = config(tmp_path, engine, models(1))
    script_directory(tmp_path / "migrations")

    first = command.revision(cfg, message="initial", autogenerate=True)
    ops = upgrade_ops(first)
    assert "op.create_table('account'" in ops and "op.create_table('post'" in ops
    assert "op.create_index('ix_post_title'" in ops
    command.upgrade(cfg, "head")
    assert set(inspect(engine).get_table_names()) == {"account", "post", "alembic_version"}

    # Nothing changed: autogenerate finds no difference between models and database.
    same = command.revision(cfg, message="nothing", autogenerate=True)
    assert "pass" in upgrade_ops(same) and "op." not in upgrade_ops(same)
    command.upgrade(cfg, "head")

    cfg.attributes["metadata"] = models(2)
    second = command.revision(cfg, message="score", autogenerate=True)
    ops = upgrade_ops(second)
    assert "op.add_column('post', sa.Column('score', sa.Numeric(precision=6, scale=2)" in ops
    assert "op.create_index('ix_post_account_score', 'post', ['account_id', 'score']" in ops
    # Only the change: nothing about the tables and indexes that exist already.
    assert ops.count("op.") == 2, ops
    command.upgrade(cfg, "head")
    cols = [c["name"] for c in inspect(engine).get_columns("post")]
    assert cols == ["id", "account_id", "title", "body", "score"]

    command.downgrade(cfg, "base")
    assert inspect(engine).get_table_names() == ["alembic_version"]

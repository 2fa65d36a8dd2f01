"""Peewee 4 unmodified (issue 10): create_tables with a foreign key and indexes, CRUD,
aggregates, an atomic rollback, the database's introspection (tables, indexes, columns,
foreign keys, primary keys), playhouse's reflection and its schema migrator. Every
expectation is PostgreSQL 15's answer (the suite runs on it with PYCLIENTS_CREATE_DB)."""

import datetime
import decimal

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, migrate
from playhouse.reflection import Introspector


def test_peewee_models_introspection_and_migrations(host, port, dbname, user):
    db = pw.PostgresqlDatabase(dbname, host=host, port=port, user=user)

    class Base(pw.Model):
        class Meta:
            database = db

    class Author(Base):
        name = pw.CharField(unique=True)
        born = pw.DateField(null=True)

    class Book(Base):
        author = pw.ForeignKeyField(Author, backref="books", on_delete="CASCADE")
        title = pw.CharField(index=True)
        price = pw.DecimalField(max_digits=10, decimal_places=2)
        data = pw.TextField(null=True)

    db.connect()
    try:
        db.create_tables([Author, Book])
        a = Author.create(name="Ann", born=datetime.date(1970, 1, 2))
        Book.create(author=a, title="X", price=decimal.Decimal("9.99"))
        Book.create(author=a, title="Y", price=decimal.Decimal("10.01"))
        assert [(b.title, b.price) for b in Book.select().where(Book.price > 5).order_by(Book.title)] == [
            ("X", decimal.Decimal("9.99")),
            ("Y", decimal.Decimal("10.01")),
        ]
        assert Book.select(pw.fn.SUM(Book.price)).scalar() == decimal.Decimal("20.00")
        counted = Author.select(Author.name, pw.fn.COUNT(Book.id).alias("n")).join(Book).group_by(Author.name)
        assert [(x.name, x.n) for x in counted] == [("Ann", 2)]
        with db.atomic() as t:
            Book.create(author=a, title="Z", price=1)
            t.rollback()
        assert Book.select().count() == 2

        assert db.get_tables() == ["author", "book"]
        indexes = {i.name: (i.columns, i.unique) for i in db.get_indexes("book")}
        assert indexes == {
            "book_pkey": (["id"], True),
            "book_author_id": (["author_id"], False),
            "book_title": (["title"], False),
        }
        columns = {c.name: (c.data_type, c.null, c.primary_key) for c in db.get_columns("book")}
        assert columns == {
            "id": ("integer", False, True),
            "author_id": ("integer", False, False),
            "title": ("character varying", False, False),
            "price": ("numeric", False, False),
            "data": ("text", True, False),
        }
        fks = [(f.column, f.dest_table, f.dest_column) for f in db.get_foreign_keys("book")]
        assert fks == [("author_id", "author", "id")]
        assert db.get_primary_keys("book") == ["id"]
        assert sorted(Introspector.from_database(db).generate_models()) == ["author", "book"]

        m = PostgresqlMigrator(db)
        migrate(
            m.add_column("book", "pages", pw.IntegerField(null=True)),
            m.rename_column("book", "data", "notes"),
            m.add_not_null("author", "born"),
            m.drop_column("book", "pages"),
            m.add_index("book", ("title", "price"), False),
        )
        assert [c.name for c in db.get_columns("book")] == ["id", "author_id", "title", "price", "notes"]
        a.delete_instance()
        assert Book.select().count() == 0
        db.drop_tables([Book, Author])
        assert db.get_tables() == []
    finally:
        db.close()

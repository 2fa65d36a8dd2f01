"""Django 5.2 (ORM, migrations, introspection) over psycopg 3 against litewire, unmodified.

Django is configured once per process (settings.configure); each test points the default
connection at its own fresh database (the `dbname` fixture) and closes it afterwards, so
every test starts with an empty database. The models live in djapp/ (migrations made by
`makemigrations` and committed).
"""

import datetime as dt
import io
from decimal import Decimal

import pytest

django = pytest.importorskip("django")

from django.conf import settings  # noqa: E402

APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.admin",
    "django.contrib.sessions",
    "djapp",
]


def _configure(host, port, user):
    if settings.configured:
        return
    settings.configure(
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "postgres",
                "USER": user,
                "HOST": host,
                "PORT": port,
                # Empty: libpq's PGPASSWORD applies when comparing with PostgreSQL.
                "PASSWORD": "",
            }
        },
        INSTALLED_APPS=APPS,
        USE_TZ=True,
        TIME_ZONE="UTC",
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    django.setup()


@pytest.fixture
def db(host, port, user, dbname):
    """The default connection on this test's own database."""
    _configure(host, port, user)
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = dbname
    ContentType.objects.clear_cache()
    yield connection
    connection.close()


def migrate(*args):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("migrate", *args, stdout=out, verbosity=1, interactive=False)
    return out.getvalue()


def tables(connection):
    with connection.cursor() as c:
        return set(connection.introspection.table_names(c))


UTC = dt.timezone.utc


def seed():
    """Two authors, three tags, four books; returns the books."""
    from djapp.models import Author, Book, Tag

    ann = Author.objects.create(name="Ann Lee", born=dt.datetime(1970, 5, 1, 8, 30, tzinfo=UTC))
    bob = Author.objects.create(name="Bob Stone", born=dt.datetime(1980, 1, 2, tzinfo=UTC))
    sci, art, old = (Tag.objects.create(label=x) for x in ("science", "art", "old"))
    books = [
        Book.objects.create(
            title="Stars", author=ann, price=Decimal("10.10"),
            published=dt.datetime(2021, 3, 15, 12, 0, tzinfo=UTC),
            meta={"pages": 120, "lang": "en", "series": {"name": "Sky"}},
        ),
        Book.objects.create(
            title="Oceans", author=ann, price=Decimal("20.20"),
            published=dt.datetime(2021, 7, 1, 9, 0, tzinfo=UTC),
            meta={"pages": 300, "lang": "fr"},
        ),
        Book.objects.create(
            title="Painting Stars", author=bob, price=Decimal("0.01"),
            published=dt.datetime(2022, 3, 2, 23, 59, tzinfo=UTC),
            meta={"pages": 80, "lang": "en"},
        ),
        Book.objects.create(
            title="Old Maps", author=bob, price=Decimal("99.99"),
            published=dt.datetime(1999, 12, 31, 0, 0, tzinfo=UTC),
            meta={},
        ),
    ]
    books[0].tags.add(sci)
    books[1].tags.add(sci, art)
    books[2].tags.add(art)
    books[3].tags.add(old, art)
    return books


def test_migrate_all_apps(db):
    out = migrate()
    assert "Applying djapp.0001_initial... OK" in out
    assert "Applying admin.0001_initial... OK" in out
    names = tables(db)
    for t in ("djapp_author", "djapp_book", "djapp_book_tags", "djapp_tag",
              "auth_user", "django_content_type", "django_admin_log", "django_session",
              "django_migrations"):
        assert t in names
    # Everything is recorded as applied: a second run has nothing to do.
    assert "No migrations to apply." in migrate()


def test_crud(db):
    from djapp.models import Author, Book

    migrate()
    books = seed()
    stars = Book.objects.get(pk=books[0].pk)
    assert stars.title == "Stars"
    assert stars.price == Decimal("10.10")
    assert stars.published == dt.datetime(2021, 3, 15, 12, 0, tzinfo=UTC)
    assert stars.published.tzinfo is not None
    assert stars.meta == {"pages": 120, "lang": "en", "series": {"name": "Sky"}}
    assert stars.uid == books[0].uid
    assert stars.author.name == "Ann Lee"
    stars.title = "Stars, revised"
    stars.meta["pages"] = 121
    stars.save()
    again = Book.objects.get(uid=books[0].uid)
    assert (again.title, again.meta["pages"]) == ("Stars, revised", 121)
    assert Book.objects.filter(author__name="Bob Stone").update(price=Decimal("1.50")) == 2
    assert sorted(Book.objects.values_list("price", flat=True)) == [
        Decimal("1.50"), Decimal("1.50"), Decimal("10.10"), Decimal("20.20")]
    # Deleting an author cascades to its books (and their tag links).
    Author.objects.get(name="Ann Lee").delete()
    assert Book.objects.count() == 2
    assert Book.tags.through.objects.count() == 3


def test_filters(db):
    from djapp.models import Book, Tag

    migrate()
    seed()

    def titles(qs):
        return sorted(qs.values_list("title", flat=True))

    assert titles(Book.objects.filter(published__month=3)) == ["Painting Stars", "Stars"]
    assert titles(Book.objects.filter(published__year=2021)) == ["Oceans", "Stars"]
    assert titles(Book.objects.filter(published__year__lt=2000)) == ["Old Maps"]
    assert titles(Book.objects.filter(title__icontains="STAR")) == ["Painting Stars", "Stars"]
    assert titles(Book.objects.filter(title__istartswith="old")) == ["Old Maps"]
    assert titles(Book.objects.filter(meta__lang="en")) == ["Painting Stars", "Stars"]
    assert titles(Book.objects.filter(meta__pages__gt=100)) == ["Oceans", "Stars"]
    assert titles(Book.objects.filter(meta__series__name="Sky")) == ["Stars"]
    assert titles(Book.objects.filter(meta__has_key="lang")) == ["Oceans", "Painting Stars", "Stars"]
    assert titles(Book.objects.filter(meta__contains={"lang": "fr"})) == ["Oceans"]
    assert titles(Book.objects.filter(tags__label="art")) == ["Oceans", "Old Maps", "Painting Stars"]
    assert titles(Book.objects.filter(tags__label="art").filter(tags__label="science")) == ["Oceans"]
    assert titles(Book.objects.filter(price__gte=Decimal("10.10"), price__lt=50)) == ["Oceans", "Stars"]
    assert sorted(Tag.objects.filter(books__author__name="Ann Lee").distinct()
                  .values_list("label", flat=True)) == ["art", "science"]
    first = Book.objects.order_by("-published").first()
    assert first.title == "Painting Stars"


def test_aggregates_count_and_max(db):
    from django.db.models import Count, Max, Min

    from djapp.models import Author, Book

    migrate()
    seed()
    got = Book.objects.aggregate(n=Count("id"), hi=Max("price"), lo=Min("price"))
    assert got == {"n": 4, "hi": Decimal("99.99"), "lo": Decimal("0.01")}
    per_author = dict(Author.objects.annotate(n=Count("books")).values_list("name", "n"))
    assert per_author == {"Ann Lee": 2, "Bob Stone": 2}


def test_aggregates_sum_of_decimal(db):
    """Sum of a DecimalField equals Python's Decimal arithmetic, as on PostgreSQL."""
    from django.db.models import Sum

    from djapp.models import Book

    migrate()
    books = seed()
    got = Book.objects.aggregate(total=Sum("price"))
    assert got["total"] == sum(b.price for b in books) == Decimal("130.30")


def test_aggregates_avg_of_decimal(db):
    from django.db.models import Avg

    from djapp.models import Book

    migrate()
    books = seed()
    got = Book.objects.aggregate(mean=Avg("price"))
    assert got["mean"] == sum(b.price for b in books) / len(books)
    # PostgreSQL's avg(numeric) keeps 16 significant decimals here.
    assert str(got["mean"]) == "32.5750000000000000"


def test_atomic_rollback_leaves_no_row(db):
    from django.db import IntegrityError, transaction

    from djapp.models import Author, Tag

    migrate()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            Tag.objects.create(label="doomed")
            raise RuntimeError("roll back")
    assert not Tag.objects.filter(label="doomed").exists()
    # A constraint violation inside a savepoint rolls back only the savepoint.
    Author.objects.create(name="Ann", born=dt.datetime(2000, 1, 1, tzinfo=UTC))
    with transaction.atomic():
        Tag.objects.create(label="kept")
        with pytest.raises(IntegrityError):
            with transaction.atomic():
                Author.objects.create(name="Ann", born=dt.datetime(2001, 1, 1, tzinfo=UTC))
    assert list(Tag.objects.values_list("label", flat=True)) == ["kept"]
    assert Author.objects.count() == 1


def test_check_constraint_enforced(db):
    from django.db import IntegrityError, transaction

    from djapp.models import Author, Book

    migrate()
    ann = Author.objects.create(name="Ann", born=dt.datetime(2000, 1, 1, tzinfo=UTC))
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            Book.objects.create(title="x", author=ann, price=Decimal("-1.00"),
                                published=dt.datetime(2020, 1, 1, tzinfo=UTC))
    assert Book.objects.count() == 0


def test_inspectdb_names_the_app_tables(db):
    from django.core.management import call_command

    migrate()
    out = io.StringIO()
    call_command("inspectdb", "djapp_author", "djapp_book", "djapp_book_tags", stdout=out)
    models = out.getvalue()
    for cls in ("class DjappAuthor(models.Model):", "class DjappBook(models.Model):",
                "class DjappBookTags(models.Model):"):
        assert cls in models
    assert "db_table = 'djapp_book'" in models
    assert "author = models.ForeignKey(DjappAuthor, models.DO_NOTHING)" in models
    assert "price = models.DecimalField(max_digits=8, decimal_places=2)" in models
    assert "meta = models.JSONField()" in models
    assert "uid = models.UUIDField(unique=True)" in models
    assert "name = models.CharField(unique=True, max_length=100)" in models


def test_introspected_constraints(db):
    """What Django's schema editor reads back: primary key, unique, FK, index, check."""
    migrate()
    with db.cursor() as c:
        found = db.introspection.get_constraints(c, "djapp_book")
    by_name = {k: v for k, v in found.items()}
    assert by_name["djapp_book_pkey"]["primary_key"]
    assert by_name["djapp_book_pkey"]["columns"] == ["id"]
    assert by_name["book_pub_price_idx"]["index"]
    assert by_name["book_pub_price_idx"]["columns"] == ["published", "price"]
    assert by_name["book_pub_price_idx"]["orders"] == ["ASC", "ASC"]
    fks = [v for v in found.values() if v["foreign_key"]]
    assert [(v["columns"], v["foreign_key"]) for v in fks] == [
        (["author_id"], ("djapp_author", "id"))]
    uniques = [v["columns"] for v in found.values() if v["unique"] and not v["primary_key"]]
    assert ["uid"] in uniques
    assert by_name["book_price_nonneg"]["check"]
    assert by_name["book_price_nonneg"]["columns"] == ["price"]


def test_second_migration_alters_and_reverts(db):
    """Migration 0002 alters a table holding rows (columns with a default and NULL, a
    wider varchar with an index, a UNIQUE and a CHECK constraint), then is unapplied."""
    from django.db import DataError, IntegrityError, transaction

    from djapp.models import Tag

    migrate("djapp", "0001")
    with db.cursor() as c:
        c.execute("insert into djapp_tag (label) values ('a'), ('b')")
    assert "Applying djapp.0002_tag_changes... OK" in migrate()
    with db.cursor() as c:
        found = db.introspection.get_constraints(c, "djapp_tag")
    assert (found["tag_label_uniq"]["unique"], found["tag_label_uniq"]["columns"]) == (
        True, ["label"])
    assert (found["tag_weight_nonneg"]["check"], found["tag_weight_nonneg"]["columns"]) == (
        True, ["weight"])
    assert any(v["index"] and not v["unique"] and v["columns"] == ["label"]
               for v in found.values())
    # The rows there before got the new columns' default and NULL.
    assert sorted(Tag.objects.values_list("label", "weight", "note")) == [
        ("a", 1, None), ("b", 1, None)]
    Tag.objects.create(label="x" * 60)
    for bad, error in ((dict(label="a"), IntegrityError), (dict(label="c", weight=-1), IntegrityError),
                       (dict(label="y" * 61), DataError)):
        with pytest.raises(error):
            with transaction.atomic():
                Tag.objects.create(**bad)
    # varchar(30) again: the longer label must go first.
    Tag.objects.filter(label="x" * 60).delete()
    assert "Unapplying djapp.0002_tag_changes... OK" in migrate("djapp", "0001")
    with db.cursor() as c:
        assert set(db.introspection.get_constraints(c, "djapp_tag")) == {"djapp_tag_pkey"}
        columns = [col.name for col in db.introspection.get_table_description(c, "djapp_tag")]
    assert columns == ["id", "label"]


def test_migrate_app_to_zero_drops_its_tables(db):
    migrate()
    assert {"djapp_author", "djapp_book", "djapp_book_tags", "djapp_tag"} <= tables(db)
    out = migrate("djapp", "zero")
    assert "Unapplying djapp.0001_initial... OK" in out
    left = tables(db)
    assert not {"djapp_author", "djapp_book", "djapp_book_tags", "djapp_tag"} & left
    assert "auth_user" in left

import uuid

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)
    born = models.DateTimeField()


class Tag(models.Model):
    label = models.CharField(max_length=60, db_index=True)
    weight = models.IntegerField(default=1)
    note = models.TextField(null=True)

    # Added by migration 0002 (ALTER TABLE: columns, a wider varchar, constraints).
    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["label"], name="tag_label_uniq"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="tag_weight_nonneg"),
        ]


class Book(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True)
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    tags = models.ManyToManyField(Tag, related_name="books")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    published = models.DateTimeField()
    meta = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["published", "price"], name="book_pub_price_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="book_price_nonneg")
        ]

"""Data: fill Customer.last_activity_at from the activities already logged (one UPDATE with
a correlated MAX; the activities' (customer, occurred_at) index answers each). Reversing
leaves the column to 0014's reversal."""

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery


def backfill(apps, schema_editor):
    Customer = apps.get_model("crm", "Customer")
    Activity = apps.get_model("activities", "Activity")
    latest = (
        Activity.objects.filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(latest=Max("occurred_at"))
        .values("latest")
    )
    Customer.objects.update(last_activity_at=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0014_customer_last_activity_at"),
        ("activities", "0002_visit_per_customer_index"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]

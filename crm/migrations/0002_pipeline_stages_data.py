"""Data: the six pipeline stages with their default probabilities (editable in the admin)."""

from django.db import migrations

STAGES = [
    ("lead", "Lead", 1, 10),
    ("qualified", "Qualified", 2, 25),
    ("proposal", "Proposal", 3, 50),
    ("negotiation", "Negotiation", 4, 75),
    ("won", "Won", 5, 100),
    ("lost", "Lost", 6, 0),
]


def create_stages(apps, schema_editor):
    Stage = apps.get_model("crm", "Stage")
    for code, name, position, probability in STAGES:
        Stage.objects.update_or_create(
            code=code,
            defaults={"name": name, "position": position, "default_probability": probability},
        )


def delete_stages(apps, schema_editor):
    apps.get_model("crm", "Stage").objects.filter(code__in=[s[0] for s in STAGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_customers_contacts_deals")]
    operations = [migrations.RunPython(create_stages, delete_stages)]

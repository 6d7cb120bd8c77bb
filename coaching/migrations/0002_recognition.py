from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Recognition (issue 13): team leaderboard settings and incentive badges."""

    dependencies = [
        ("accounts", "0004_two_factor_policy"),
        ("coaching", "0001_action_plans"),
        ("reports", "0002_quotas_expectations_commission_kpis"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TeamRecognition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "leaderboard_hidden",
                    models.BooleanField(
                        default=False,
                        help_text="Hidden: reps see a note instead; managers still see it.",
                    ),
                ),
                ("points_call", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("points_meeting", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("points_visit", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("points_email", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("points_referral", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("points_note", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "team",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.team",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "team recognition settings",
            },
        ),
        migrations.CreateModel(
            name="Badge",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period_start", models.DateField()),
                (
                    "won",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=16),
                ),
                (
                    "quota",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=16),
                ),
                (
                    "attainment",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=8),
                ),
                ("awarded_at", models.DateTimeField()),
                (
                    "incentive",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="badges",
                        to="reports.incentive",
                    ),
                ),
                (
                    "rep",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="badges",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-awarded_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("rep", "incentive", "period_start"), name="coaching_badge_once"
                    )
                ],
            },
        ),
    ]

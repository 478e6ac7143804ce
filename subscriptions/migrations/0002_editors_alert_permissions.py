"""Editors see follower counts and sends per brief, and may remove an address. Reading who follows
what (``view_followers``) is given to no group: an administrator grants it to named people."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = ["view_alert_counts", "remove_subscriber"]


def grant(apps, schema_editor):
    config = apps.get_app_config("subscriptions")
    config.models_module = True
    create_permissions(config, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="subscriptions", codename__in=EDITOR_PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="subscriptions", codename__in=EDITOR_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_initial"),
        ("briefs", "0003_workflow_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

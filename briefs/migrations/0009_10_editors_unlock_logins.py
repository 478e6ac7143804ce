"""Editors may see failed sign-ins and unlock an account or address (django-axes: deleting an access
attempt lifts its lock-out). Issue #10."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [("axes", "accessattempt", "view"), ("axes", "accessattempt", "delete"), ("axes", "accesslog", "view")]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for app_label, model, action in PERMISSIONS:
        editors.permissions.add(
            Permission.objects.get(
                content_type__app_label=app_label, content_type__model=model, codename=f"{action}_{model}"
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        editors.permissions.remove(*Permission.objects.filter(content_type__app_label="axes"))


class Migration(migrations.Migration):
    dependencies = [
        ("briefs", "0008_xml_safe_text"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

"""The two editorial groups. Contributors write briefs and submit them; Editors do everything else.

Permissions are normally created after all migrations (post_migrate), so they are created here first
for the apps involved; re-running is harmless (get_or_create, set()).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("add", "change", "delete", "view")

CONTRIBUTORS = {
    "briefs": {
        "brief": ("add", "change", "view", "submit"),
        # Quotes and links are inlines of the brief form: removing one needs delete.
        "expertquote": ALL,
        "relatedlink": ALL,
        "brieftype": ("view",),
        "transition": ("view",),
        "correction": ("view",),
    },
    "experts": {"expert": ("view",)},
    "issues": {"issue": ("view",)},
}
EDITORS = {
    "briefs": {
        "brief": (*ALL, "submit", "review", "publish", "withdraw", "correct"),
        "expertquote": ALL,
        "relatedlink": ALL,
        "brieftype": ALL,
        "transition": ("view",),
        "correction": ALL,
    },
    "experts": {"expert": ALL},
    "issues": {"issue": ALL},
}


def codename(model, action):
    return f"{action}_{model}"


def make_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, spec in (("Contributors", CONTRIBUTORS), ("Editors", EDITORS)):
        perms = []
        for app_label, models in spec.items():
            for model, actions in models.items():
                for action in actions:
                    perms.append(
                        Permission.objects.get(
                            content_type__app_label=app_label, content_type__model=model, codename=codename(model, action)
                        )
                    )
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(perms)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Contributors", "Editors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("experts", "0001_initial"),
        ("issues", "0001_initial"),
        ("briefs", "0002_workflow"),
    ]

    operations = [migrations.RunPython(make_groups, remove_groups)]

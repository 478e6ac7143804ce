from django.apps import AppConfig


class ServingConfig(AppConfig):
    """How the site behaves on a real server: shared cache, outages, health."""

    name = "serving"

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the deploy checks)
        from .statistics import after_migrate

        # Once per migrate, after the app holding the briefs (this app has no models: no signal).
        post_migrate.connect(after_migrate, sender=apps.get_app_config("briefs"), dispatch_uid="serving-statistics")

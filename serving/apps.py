from django.apps import AppConfig


class ServingConfig(AppConfig):
    """How the site behaves on a real server: shared cache, outages, health."""

    name = "serving"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy checks)

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: text checks, rich text, no lost update, pagination and cards, the
    site's template tags (``{% load dossier %}``), the sitemap index. It imports no other app of ours."""

    name = "core"
    verbose_name = "Shared"

from django.apps import AppConfig


class ListingsConfig(AppConfig):
    """The pages that list every kind of content: an issue's page, an expert's page, their feeds and
    the site's sitemap. Above every content type (docs/design.md, "A map of the apps")."""

    name = "listings"
    verbose_name = "Listings"

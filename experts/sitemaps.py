from django.db.models import Max

from core.sitemaps import SiteSitemap

from .models import Expert


class ExpertSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Expert.objects.active()

    def lastmod(self, expert):
        return expert.updated_at

    def get_latest_lastmod(self):
        """In one query (Django's default reads every expert)."""
        return Expert.objects.active().aggregate(latest=Max("updated_at"))["latest"]

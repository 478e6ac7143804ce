from briefs.sitemaps import SiteSitemap

from .models import Expert


class ExpertSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Expert.objects.active()

    def lastmod(self, expert):
        return expert.updated_at

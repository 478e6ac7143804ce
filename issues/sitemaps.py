from core.sitemaps import SiteSitemap

from .models import Issue


class IssueSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return Issue.objects.all()

"""The site's sitemap sections, one per kind of page (the index and the files: core/sitemaps.py)."""

from briefs.sitemaps import BriefSitemap, BriefTypeSitemap
from experts.sitemaps import ExpertSitemap
from issues.sitemaps import IssueSitemap

SECTIONS = {"briefs": BriefSitemap, "types": BriefTypeSitemap, "issues": IssueSitemap, "experts": ExpertSitemap}

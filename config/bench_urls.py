"""Production's URLs plus the benchmark's floor (serving/floor.py); only config.bench_settings routes here."""

from config import urls
from serving import floor

handler500 = urls.handler500  # Django looks for it on the root URLconf
urlpatterns = [*urls.urlpatterns, *floor.urlpatterns()]

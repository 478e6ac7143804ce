"""``manage.py check --deploy``: settings that would break the promise that no page is ever stale."""

from django.conf import settings
from django.core.checks import Error, Tags, register

PER_PROCESS_BACKENDS = {"django.core.cache.backends.locmem.LocMemCache"}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """The page cache decides from the default cache whether a page is still current; a cache of one
    process cannot hear about an edit made in another (a second gunicorn worker, a management
    command), which would serve stale pages for minutes."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_BACKENDS:
        return [
            Error(
                f"The default cache ({backend}) lives inside one process, but a production site always runs "
                "more than one (web workers, management commands): an edit in one would leave the others "
                "serving stale pages.",
                hint="Leave CACHES to the settings (a folder shared by this machine's processes, or Redis "
                "when REDIS_URL is set), or use another cache every process shares.",
                id="serving.E001",
            )
        ]
    return []

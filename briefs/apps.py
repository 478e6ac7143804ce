from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "briefs"

    def ready(self):
        from . import pagecache

        pagecache.connect_signals()

from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "briefs"

    def ready(self):
        from . import brieffiles, pagecache

        pagecache.connect_signals()
        brieffiles.connect_signals()  # PDFs and cards go when a brief stops being live (#13)

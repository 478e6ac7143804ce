from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "briefs"

    def ready(self):
        from . import brieffiles, dependencies

        dependencies.connect()  # what its pages depend on, for the cache layer (serving/)
        brieffiles.connect_signals()  # PDFs and cards go when a brief stops being live (#13)

from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "briefs"

    def ready(self):
        from django.db.models.signals import post_migrate

        from serving.statistics import after_migrate

        from . import brieffiles, dependencies

        dependencies.connect()  # what its pages depend on, for the cache layer (serving/)
        brieffiles.connect_signals()  # PDFs and cards go when a brief stops being live (#13)
        # SQLite's planner statistics, once per migrate, after the app holding the briefs.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="serving-statistics")

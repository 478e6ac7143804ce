from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = "Issue taxonomy"

    def ready(self):
        from . import dependencies

        dependencies.connect()

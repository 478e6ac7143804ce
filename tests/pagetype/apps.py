from django.apps import AppConfig


class PageTypeConfig(AppConfig):
    """A content type as small as one can be, to show what the cache layer gives it (#21)."""

    name = "tests.pagetype"
    label = "pagetype"

    def ready(self):
        from serving import track

        from .models import Note

        track(Note, "note")  # the one declaration: pages showing notes depend on them

from django.core.management.base import BaseCommand

from search.index import rebuild


class Command(BaseCommand):
    help = "Rewrite the search index of every brief (after loaddata or a bulk load that sent no signals)."

    def handle(self, *args, **options):
        count = rebuild()
        self.stdout.write(f"Indexed {count} briefs.")

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from briefs.notifications import admin_url
from importer.run import ImportFailed, collect_paths, import_exports, totals, unused_issues
from serving import statistics

# Past this many files a progress bar is worth drawing (when a person is watching a terminal).
PROGRESS_BAR_MIN_FILES = 5
DRY_RUN_VERBS = {"created": "would create", "updated": "would update", "unchanged": "unchanged"}


class Command(BaseCommand):
    help = (
        "Import briefs from plain-text exports of the old site. PATH is a .txt file or a folder of them. "
        "All files are checked first; any bad input stops the run and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="an export (.txt) or a folder of exports")
        parser.add_argument(
            "--issue",
            action="append",
            default=[],
            metavar="NAME",
            help="an issue name to recognise on “Issues:” lines, created when a file uses it; repeatable",
        )
        parser.add_argument(
            "--publish", action="store_true", help="publish the briefs at their header date (default: drafts)"
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="with --publish: who the publications go down as in the briefs' history (an editor)",
        )

    def handle(self, *args, paths, issue, publish, dry_run, user=None, **options):
        user = self._publisher(user) if user else None
        try:
            bar = self._progress_bar(files=len(collect_paths(paths)), steps=1 if dry_run else 2)
            try:
                outcomes = import_exports(
                    paths=paths,
                    extra_issues=issue,
                    publish=publish,
                    dry_run=dry_run,
                    progress=bar.update if bar else None,
                    user=user,
                )
            finally:
                if bar:
                    bar.close()
        except ImportFailed as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from None
        for outcome in outcomes:
            verb = DRY_RUN_VERBS[outcome.action] if dry_run else outcome.action
            where = admin_url(outcome.brief) if outcome.brief else "(new brief)"
            self.stdout.write(f"{verb:<12} {outcome.source}  {where}")
        for name in unused_issues(issue, outcomes):
            self.stdout.write(self.style.WARNING(f"--issue “{name}” matched no “Issues:” line; not created"))
        if not dry_run:
            statistics.refresh()  # for SQLite's query planner (serving/statistics.py)
        counts = totals(outcomes)
        summary = ", ".join(f"{count} {action}" for action, count in counts.items())
        suffix = " (dry run: nothing written)" if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{len(outcomes)} file(s): {summary}{suffix}"))

    def _publisher(self, username):
        user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None or not user.is_active:
            raise CommandError(f"--user: no active user “{username}”. Nothing was imported.")
        if not user.has_perm("briefs.publish_brief"):
            raise CommandError(f"--user: “{username}” may not publish briefs. Nothing was imported.")
        return user

    def _progress_bar(self, *, files, steps):
        """One tick per file read and (unless a dry run) one per file saved."""
        if files <= PROGRESS_BAR_MIN_FILES or not self.stdout.isatty():
            return None
        return tqdm(total=files * steps, unit="step", leave=False, file=sys.stderr)

"""``manage.py make_brief_files``: make the citations, PDFs and social cards live briefs lack.

The worker makes them as versions go live (briefs/brieffiles.py); this catches up with what it did
not see: after an upgrade that changes what they show, briefs written in bulk (the bench, a restore),
files deleted by hand. Briefs whose files are current cost a fingerprint each; files of briefs no
longer published are deleted. Safe to run beside the worker, and again.
"""

import time

from django.core.management.base import BaseCommand

from briefs import brieffiles


class Command(BaseCommand):
    help = (
        "Make the citations, PDFs and social cards that live (and scheduled) briefs lack or have out of "
        "date, and delete those of briefs no longer published. PDFs take about 0.3 s each: "
        "--only citations makes the fast part first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            action="append",
            choices=brieffiles.PARTS,
            metavar="PART",
            help=f"make only this part ({', '.join(brieffiles.PARTS)}); repeatable. Default: all of them",
        )
        parser.add_argument(
            "--brief", action="append", metavar="SLUG", help="only this brief (by its slug); repeatable"
        )
        parser.add_argument(
            "--jobs", type=int, default=1, metavar="N", help="processes sharing the work (default 1; one per core)"
        )

    def handle(self, *args, only=None, brief=None, jobs=1, **options):
        parts = tuple(part for part in brieffiles.PARTS if part in (only or brieffiles.PARTS))
        started = time.monotonic()
        self.last_report = started

        def progress(done, total, made):
            now = time.monotonic()
            if done == total or now - self.last_report >= 10:  # a line every 10 s on long runs
                self.last_report = now
                self.stdout.write(f"  {done:,}/{total:,} briefs checked, {describe(made)} ({now - started:.0f} s)")

        summary = brieffiles.make_missing(parts=parts, slugs=brief, progress=progress, jobs=max(1, jobs))
        discarded = ""
        if summary["discarded"]:
            discarded = f"; the files of {summary['discarded']:,} briefs no longer published deleted"
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary['checked']:,} briefs checked in {time.monotonic() - started:.0f} s: "
                f"{describe(summary['made'])}{discarded}."
            )
        )


LABELS = {"citations": "citations", "pdf": "PDFs", "card": "social cards"}


def describe(made):
    """ "3 citations, 3 PDFs, 0 social cards made" """
    return ", ".join(f"{count:,} {LABELS[part]}" for part, count in made.items()) + " made"

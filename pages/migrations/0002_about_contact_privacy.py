"""The three pages the footer links, with starting text editors replace; Editors may edit them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PAGES = {
    "about": (
        "About us",
        "Who we are, what we study and how we work.",
        "<p>We are an independent, nonpartisan policy institute. Our experts study national security "
        "and foreign policy and publish briefs, analysis and policy memos on the issues they follow.</p>"
        "<h2>How we work</h2><p>Every brief is reviewed by an editor before it is published. When we get "
        "something wrong we say so: corrections are dated and shown at the top of the brief.</p>",
    ),
    "contact": (
        "Contact",
        "How to reach our experts, the press office and the editors.",
        "<h2>Press</h2><p>Journalists can reach our experts through the press office: "
        '<a href="mailto:press@example.org">press@example.org</a>.</p>'
        "<h2>Corrections</h2><p>To report an error in a brief, write to "
        '<a href="mailto:editors@example.org">editors@example.org</a>.</p>',
    ),
    "privacy": (
        "Privacy",
        "What this site records about its readers, and what it does not.",
        "<p>This site sets no cookies for readers, runs no third-party scripts and embeds no trackers. "
        "Our servers keep standard access logs (address, time, page) for security, for 30 days.</p>"
        "<p>Share links on briefs are plain links: nothing is sent to a social network until you follow one.</p>",
    ),
}


def create_pages(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for slug, (title, summary, body) in PAGES.items():
        Page.objects.get_or_create(slug=slug, defaults={"title": title, "summary": summary, "body": body})

    app_config = apps.get_app_config("pages")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label="pages", codename__in=["change_page", "view_page"])
        )


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial"), ("briefs", "0003_workflow_groups")]
    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]

"""The privacy page says what email alerts keep (#15), unless editors already rewrote the page."""

from django.db import migrations

ORIGINAL_END = "nothing is sent to a social network until you follow one.</p>"
ALERTS = (
    "<h2>Email alerts</h2><p>If you sign up for email alerts, we store your email address, what you "
    "chose to follow, how often you want emails, when you signed up and when you confirmed, and which "
    "alerts we sent you. Until you confirm, we send only the confirmation email, and unconfirmed "
    "sign-ups are deleted after 7 days. Our emails contain no tracking pixels or tracked links, and "
    "nothing about them reaches analytics. Every email has links to change your alerts, download your "
    "data and delete it; unsubscribing deletes your address at once (we keep only anonymous counts of "
    "emails sent).</p>"
)


def add_alerts(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    page = Page.objects.filter(slug="privacy").first()
    if page is not None and page.body.endswith(ORIGINAL_END):
        page.body += ALERTS
        page.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("pages", "0003_xml_safe_text")]
    operations = [migrations.RunPython(add_alerts, migrations.RunPython.noop)]

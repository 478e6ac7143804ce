from django.conf import settings


def site(request):
    """Site-wide values every template may use (name, absolute base URL)."""
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}

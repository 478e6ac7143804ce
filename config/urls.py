from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_POST

from briefs import urls as briefs_urls
from briefs.preview import shared_preview
from search import urls as search_urls
from serving.views import healthz

admin.site.site_header = f"{settings.SITE_NAME} editorial"
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "Briefs, experts and issues"


@require_POST
def refuse_upload(request):
    """Pasted or dropped images would be stored in public media, then stripped from the brief on save."""
    message = "Images are not part of briefs: the text keeps headings, lists, links, quotes and tables."
    return JsonResponse({"error": {"message": message}}, status=403)


# A database outage answers a branded 503 with Retry-After, not a 500 (serving/views.py).
handler500 = "serving.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
    # CKEditor 5's widget needs its upload URL to exist; the sanitiser keeps no images, so nothing is stored.
    path("ckeditor5/image_upload/", refuse_upload, name="ck_editor_5_upload_file"),
    path("preview/<str:token>/", shared_preview, name="shared_preview"),
    # Issue and expert pages list every kind of content, so they live above all of them (listings/).
    path("issues/", include("listings.issues.urls")),
    path("experts/", include("listings.experts.urls")),
    path("subscribe/", include("subscriptions.urls")),
    path("", include("pages.urls")),
    path("search/", include("search.urls")),
    path("", include("listings.urls")),
    # The briefs' namespace: their own pages, and the archive (/briefs/, ``briefs:list``) that search
    # serves with its filters and facets (briefs do not import search: it sits above them).
    path("", include((briefs_urls.urlpatterns + search_urls.archive, briefs_urls.app_name))),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

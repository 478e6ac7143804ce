from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from briefs.preview import shared_preview

admin.site.site_header = f"{settings.SITE_NAME} editorial"
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "Briefs, experts and issues"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("ckeditor5/", include("django_ckeditor_5.urls")),
    path("preview/<str:token>/", shared_preview, name="shared_preview"),
    path("issues/", include("issues.urls")),
    path("experts/", include("experts.urls")),
    path("", include("briefs.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

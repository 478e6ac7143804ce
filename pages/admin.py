from django.contrib import admin

from .models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]
    fields = ["slug", "title", "summary", "body"]

    def has_delete_permission(self, request, obj=None):
        # The footer and the URL contract link all three: editors change them, never remove them.
        return False

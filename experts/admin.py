from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from core.autocomplete import SafeAutocompleteAdminMixin
from core.conflicts import NoLostUpdateAdminMixin

from .models import Expert
from .photos import PhotoField


@admin.register(Expert)
class ExpertAdmin(NoLostUpdateAdminMixin, SafeAutocompleteAdminMixin, admin.ModelAdmin):
    list_display = ["thumbnail", "name", "title", "program", "is_active"]
    list_display_links = ["thumbnail", "name"]
    list_filter = ["is_active", "program", "issues"]
    search_fields = ["name", "title", "program"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["issues"]
    fields = ["name", "slug", "title", "program", "photo", "bio", "issues", "is_active"]
    # Photos are checked and re-encoded on upload (experts/photos.py).
    formfield_overrides = {models.ImageField: {"form_class": PhotoField}}

    @admin.display(description="Photo")
    def thumbnail(self, expert):
        if not expert.photo:
            return "—"
        return format_html('<img src="{}" alt="" width="40" height="40" class="expert-thumb">', expert.photo.url)

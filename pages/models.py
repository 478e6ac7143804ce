from django.db import models
from django.db.models import Q
from django.urls import reverse

from core.richtext import RichTextField
from core.textcheck import NAME_VALIDATORS, TEXT_VALIDATORS


class Page(models.Model):
    """An institute page editors keep up to date in the admin: about, contact, privacy.

    A small model rather than django.contrib.flatpages: flatpages needs the sites framework, a
    template name per page and stores unsanitised HTML; this one has our rich-text field (nh3 on
    save), a summary for meta tags, and fixed addresses from the URL contract.
    """

    class Slug(models.TextChoices):
        ABOUT = "about", "About"
        CONTACT = "contact", "Contact"
        PRIVACY = "privacy", "Privacy"

    slug = models.SlugField(
        max_length=50, unique=True, choices=Slug.choices, help_text="Which page: /about/, /contact/ or /privacy/."
    )
    title = models.CharField(max_length=200, validators=NAME_VALIDATORS)
    summary = models.TextField(
        blank=True, max_length=300, validators=TEXT_VALIDATORS, help_text="One sentence for search engines and links."
    )
    body = RichTextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="page_title_not_empty")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(f"pages:{self.slug}")

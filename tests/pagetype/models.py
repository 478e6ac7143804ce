from django.db import models

from serving.dependencies import TrackedQuerySet


class Note(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)

    objects = TrackedQuerySet.as_manager()  # bulk writes keep pages fresh too

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

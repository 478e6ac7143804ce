from django.db import models


class PendingMove(models.Model):
    """Tags an edit moved while the cache could not be written (down, paused, partitioned): kept with
    the edit, in the database, and moved by the first process to find the cache answering again
    (serving/journal.py)."""

    tags = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{len(self.tags)} tags at {self.created_at:%Y-%m-%d %H:%M:%S}"

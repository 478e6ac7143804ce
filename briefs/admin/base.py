from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404

# Allowed methods of the brief admin's extra views (``require_http_methods``).
SAFE = ["GET", "HEAD"]
POST = ["POST"]
SAFE_OR_POST = [*SAFE, *POST]


class BriefObjectMixin:
    """What the brief admin's extra views share: the brief of the URL, with the user's rights checked."""

    def _brief_or_404(self, request, object_id, *, change=False):
        brief = self.get_object(request, unquote(object_id))
        if brief is None:
            raise Http404("No such brief.")
        allowed = (
            self.has_change_permission(request, brief) if change else self.has_view_or_change_permission(request, brief)
        )
        if not allowed:
            raise PermissionDenied
        return brief

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404


def paginate_or_404(queryset, number, per_page):
    """One page of ``queryset`` for a ``?param=`` value, read as ListView reads ``?page=``: a
    missing value is page 1, ``last`` is the last page, and a value that is not a number or is
    past the end is a 404, never a 500."""
    paginator = Paginator(queryset, per_page, allow_empty_first_page=True)
    if number == "last":
        number = paginator.num_pages
    try:
        return paginator.page(number or 1)
    except InvalidPage as error:
        raise Http404(f"No such page: {error}") from None

"""View decorators every app shares."""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse


def post_only(
    page: str, *, keep: tuple[str, ...] = ()
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A form's address that only POST changes: opened with GET, it leads to the page holding the form.

    People open these addresses too: a reload after a failed post, a link
    copied from the address bar, the browser's history. A blank 405 helps no
    one, so GET and HEAD redirect to `page` (a URL name), passing on the URL
    arguments named in `keep` and the query string; other methods get 405.
    Put it below the permission decorators: who may not see the page still
    gets their 302 to sign in or their 403 first.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in ("GET", "HEAD"):
                url = reverse(page, kwargs={name: kwargs[name] for name in keep})
                query = request.GET.urlencode()
                return HttpResponseRedirect(f"{url}?{query}" if query else url)
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

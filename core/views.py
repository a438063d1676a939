from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from .health import run_checks, run_warnings
from .messages import Topic, unsubscribe_read
from .services import message_opt_out


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and `docker compose`: 200 when every check passes, else 503.

    Warnings (a nightly job behind) are listed but do not make it 503.
    """
    checks = run_checks()
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"ok": ok, "checks": checks, "warnings": run_warnings()}, status=200 if ok else 503)


@csrf_exempt  # a mail client's one-click POST has no CSRF token; the signed token is the credential
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A message's one-click "no more of these" (RFC 8058), without signing in.

    GET shows what will stop and a button (a link checker or a mail scanner
    opening the link must not unsubscribe anyone); POST, from that button or
    from the mail client's own "unsubscribe", records it. A token we did not
    sign is a 400 page saying so.
    """
    try:
        address, topic = unsubscribe_read(token)
    except signing.BadSignature:
        return render(request, "core/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        message_opt_out(token=token)
        return render(request, "core/unsubscribe_done.html", {"address": address, "topic": Topic.LABELS[topic]})
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "core/unsubscribe.html", {"address": address, "topic": Topic.LABELS[topic]})

"""Helpers the test settings refer to by dotted path."""

import inspect

from django.conf import settings


class _InvalidTemplateVariable(str):
    """`string_if_invalid` that fails on typos in *our* templates only.

    Django's own admin templates rely on missing variables rendering as "",
    so we look up the stack for the template being rendered and raise only
    when it lives in this repository (not in a third-party package).
    """

    def __mod__(self, name: object) -> str:
        frame = inspect.currentframe()
        while frame is not None:
            context = frame.f_locals.get("context")
            template = getattr(context, "template", None)
            origin = getattr(getattr(template, "origin", None), "name", None)
            if origin:
                path = str(origin)
                base = str(settings.BASE_DIR)
                if path.startswith(base) and "/.venv/" not in path and "site-packages" not in path:
                    raise AssertionError(f"Undefined template variable {name!r} in {path}")
                return ""
            frame = frame.f_back
        return ""


InvalidTemplateVariable = _InvalidTemplateVariable("%s")

from django import forms


def form_errors_text(form: forms.BaseForm) -> str:
    """A form's errors as one sentence for a message after a redirect (the form itself is not shown again)."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)

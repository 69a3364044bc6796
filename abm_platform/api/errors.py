"""One error shape for the whole API:

    {"message": "Invalid input.", "code": "invalid", "extra": {"fields": {"name": ["…"]}}}

Django's ValidationError / Http404 / PermissionDenied raised by services become the same shape.
"""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        non_field = detail.get("non_field_errors")
        message = str(non_field[0]) if non_field else "Invalid input."
        response.data = {"message": message, "code": "invalid", "extra": {"fields": detail}}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        extra = {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            extra["retry_after_seconds"] = int(exc.wait)
        response.data = {"message": str(detail), "code": code if isinstance(code, str) else "error", "extra": extra}
    return response


def raise_record_errors(errors: list[tuple[str, str]]) -> None:
    """A rejected upsert record's (column, reason) pairs as the one error shape (400)."""
    if not errors:
        return
    fields: dict[str, list[str]] = {}
    for column, message in errors:
        fields.setdefault(column, []).append(message)
    raise exceptions.ValidationError(fields)

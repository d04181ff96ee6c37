"""One JSON error shape for every answer that is not a success:
`{"error": "<what went wrong>", "fields": [{"name", "location", "message"}]}` (fields only
when some input was refused)."""

from django.http import Http404, JsonResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field


class FieldError(Schema):
    name: str = Field(max_length=200)
    location: str = Field(max_length=20, description="query, path, body or header")
    message: str = Field(max_length=500)


class ErrorOut(Schema):
    error: str = Field(max_length=200)
    fields: list[FieldError] | None = None


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    405: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
    503: ErrorOut,
}


class ApiError(Exception):
    def __init__(self, status: int, error: str, fields: list[dict] | None = None, headers=None):
        super().__init__(error)
        self.status = status
        self.error = error
        self.fields = fields
        self.headers = headers or {}


def error_response(status: int, error: str, fields=None, headers=None) -> JsonResponse:
    body = {"error": error}
    if fields is not None:
        body["fields"] = fields
    response = JsonResponse(body, status=status, headers=headers)
    response["Cache-Control"] = "no-store"
    return response


def field_errors(errors) -> list[dict]:
    """Pydantic's errors as {name, location, message}: `loc` is ("query", "limit") and the like."""
    fields = []
    for error in errors:
        location, *path = error.get("loc", ("body",)) or ("body",)
        names = [str(part) for part in path if part not in ("payload", "filters")]
        fields.append(
            {
                "name": ".".join(names)[:200] or str(location),
                "location": str(location)[:20],
                "message": str(error.get("msg", "invalid"))[:500],
            }
        )
    return fields


def install(api) -> None:
    @api.exception_handler(ApiError)
    def api_error(request, exc):
        return error_response(exc.status, exc.error, exc.fields, exc.headers)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        return error_response(422, "invalid request", field_errors(exc.errors))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(
            401, "a valid API key is needed", headers={"WWW-Authenticate": "Bearer"}
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(404, "not found")

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return error_response(exc.status_code, str(exc.message)[:200])


def refuse_unknown_params(request, *schemas) -> None:
    """A query parameter no operation reads is refused, not ignored: a typo such as
    `update_since` must not silently return everything."""
    known = {name for schema in schemas for name in schema.model_fields}
    unknown = sorted(set(request.GET) - known)
    if unknown:
        raise ApiError(
            422,
            "invalid request",
            [
                {"name": name[:200], "location": "query", "message": "unknown parameter"}
                for name in unknown
            ],
        )

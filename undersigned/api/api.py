"""The JSON API, versioned in the URL. The OpenAPI 3.1 document at /api/openapi.json is
generated from the operations and schemas here (django-ninja), with readable docs at
/api/docs."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from . import errors, osdi, private, public

DESCRIPTION = (
    "Public reads of petitions and sign-on letters (no personal data), and an "
    "organisation's own signers with one of its API keys (`Authorization: Bearer us_…`). "
    'Every error answers `{"error": …, "fields": […]}`. Lists are paged by an opaque '
    "`next_cursor`; public answers carry an ETag and may be cached for 30 seconds. "
    "Petitions and signatures are also served in OSDI (HAL+JSON) under `/api/v1/osdi`."
)


class Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        osdi.document_hal(schema)
        return schema


api = Api(
    title="Undersigned API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
)
errors.install(api)
api.add_router("/v1/", public.router)
api.add_router("/v1/private/", private.router)
api.add_router("/v1/osdi", osdi.router)
api.add_router("/v1/private/osdi/", osdi.keyed_router)

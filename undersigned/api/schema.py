"""The OpenAPI 3.1 description of the public API, kept beside the views it describes."""

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Undersigned API",
        "version": "1",
        "description": "Public, read-only figures of actions. No personal data is ever served.",
    },
    "paths": {
        "/v1/petitions/{slug}/count": {
            "get": {
                "operationId": "petitionCount",
                "summary": "The number of confirmed signatures of a petition",
                "parameters": [
                    {
                        "name": "slug",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The count, at most a few seconds old.",
                        "headers": {
                            "Cache-Control": {
                                "schema": {"type": "string"},
                                "description": "public, max-age=2, stale-while-revalidate=30",
                            }
                        },
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["slug", "count"],
                                    "properties": {
                                        "slug": {"type": "string"},
                                        "count": {"type": "integer", "minimum": 0},
                                    },
                                }
                            }
                        },
                    },
                    "404": {
                        "description": "No public petition has this slug.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"error": {"type": "string"}},
                                }
                            }
                        },
                    },
                },
            }
        }
    },
}

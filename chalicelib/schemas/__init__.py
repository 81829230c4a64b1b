"""pydantic schemas: what the API accepts and returns. The OpenAPI document is generated from these."""

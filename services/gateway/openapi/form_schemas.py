"""Component schemas of request bodies, derived from the pydantic forms the gateway validates."""

from pydantic import BaseModel

from services.gateway.openapi.common import Schema, ref

_REF_TEMPLATE = "#/components/schemas/{model}"


def form_schemas(*forms: type[BaseModel]) -> dict[str, Schema]:
    """Each form's JSON schema under its class name, with the models it nests beside it."""
    schemas: dict[str, Schema] = {}
    for form in forms:
        schema = form.model_json_schema(ref_template=_REF_TEMPLATE, mode="validation")
        for name, entry in {**schema.pop("$defs", {}), form.__name__: schema}.items():
            if schemas.setdefault(name, entry) != entry:
                raise ValueError(f"two forms define schema {name} differently")
    return schemas


def form_ref(form: type[BaseModel]) -> Schema:
    """A reference to ``form``'s schema in ``components.schemas``."""
    return ref(form.__name__)

"""An OpenAPI document → the operations a model may call, as Open WebUI turns them into tools.

Pure functions over parsed JSON: a malformed part of a spec is skipped, never raised, because a
server's document is not ours to trust.
"""

import json
from dataclasses import dataclass

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
BODY_METHODS = frozenset({"post", "put", "patch", "delete"})
NO_DESCRIPTION = "No description available."
# Deep enough for any real schema; it stops a $ref cycle (a tree node holding its children).
_MAX_DEPTH = 32
_MAX_NODES = 20_000


class SpecError(ValueError):
    """The document is not an OpenAPI spec we can use."""


@dataclass(frozen=True)
class Operation:
    """One callable operation: where it lives and the OpenAI function spec the model sees."""

    name: str
    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    spec: dict

    @property
    def sends_body(self) -> bool:
        return self.method in BODY_METHODS


def parse_spec(text: str | bytes, yaml_first: bool = False) -> dict:
    """A spec's text → its object: YAML when the name says so, else JSON with YAML as fallback
    (Open WebUI's order). ``SpecError`` when neither gives an object with ``paths``."""
    # Here, not at the top: a spec is parsed when a tool server is first used, not at start.
    import yaml

    parsed: object = None
    try:
        if yaml_first:
            parsed = yaml.safe_load(text)
        else:
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as error:
        raise SpecError(f"not JSON or YAML: {error or type(error).__name__}") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("paths"), dict):
        raise SpecError("the document has no paths")
    return parsed


def _pointer(spec: dict, ref: str) -> object:
    if not ref.startswith("#/"):
        return None
    node: object = spec
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def resolve(spec: dict, node: object) -> object:
    """``node`` with every local ``$ref`` replaced by what it points to, recursively. A reference
    that is remote, missing or too deep (a cycle) becomes an empty schema, and so does everything
    past a budget of nodes (references fanning out level after level would otherwise multiply)."""
    budget = [_MAX_NODES]

    def walk(value: object, depth: int) -> object:
        budget[0] -= 1
        if depth > _MAX_DEPTH or budget[0] < 0:
            return {}
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                target = _pointer(spec, ref)
                return walk(target, depth + 1) if isinstance(target, dict) else {}
            return {key: walk(item, depth + 1) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, depth + 1) for item in value]
        return value

    return walk(node, 0)


def _with_enum(description: str, schema: dict) -> str:
    values = schema.get("enum")
    if not isinstance(values, list) or not values:
        return description
    listed = ", ".join(str(value) for value in values)
    return f"{description}. Possible values: {listed}" if description else f"Possible values: {listed}"


def _parameter_property(parameter: dict) -> dict:
    schema = parameter.get("schema") if isinstance(parameter.get("schema"), dict) else {}
    description = schema.get("description") or parameter.get("description") or ""
    prop: dict = {"type": schema.get("type") or "string", "description": _with_enum(str(description), schema)}
    if isinstance(schema.get("enum"), list):
        prop["enum"] = schema["enum"]
    if prop["type"] == "array" and "items" in schema:
        prop["items"] = schema["items"]
    for key in ("default", "format"):
        if key in schema:
            prop[key] = schema[key]
    return prop


def _body_schema(spec: dict, operation: dict) -> dict:
    body = resolve(spec, operation.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    media = content.get("application/json") if isinstance(content, dict) else None
    schema = media.get("schema") if isinstance(media, dict) else None
    return schema if isinstance(schema, dict) else {}


def _operation(spec: dict, path: str, method: str, operation: dict, shared: list) -> Operation | None:
    name = operation.get("operationId")
    if not isinstance(name, str) or not name:
        return None
    description = operation.get("description") or operation.get("summary") or NO_DESCRIPTION
    properties: dict[str, dict] = {}
    required: list[str] = []
    path_params: list[str] = []
    query_params: list[str] = []
    own = operation.get("parameters") if isinstance(operation.get("parameters"), list) else []
    for raw in [*shared, *own]:
        parameter = resolve(spec, raw)
        if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
            continue
        where, param_name = parameter.get("in"), parameter["name"]
        if where not in ("path", "query"):
            continue
        (path_params if where == "path" else query_params).append(param_name)
        properties[param_name] = _parameter_property(parameter)
        if (parameter.get("required") or where == "path") and param_name not in required:
            required.append(param_name)
    body = _body_schema(spec, operation)
    if isinstance(body.get("properties"), dict):
        for prop_name, prop in body["properties"].items():
            properties[prop_name] = _with_enum_property(prop) if isinstance(prop, dict) else {}
        body_required = body.get("required") if isinstance(body.get("required"), list) else []
        for prop_name in body_required:
            if isinstance(prop_name, str) and prop_name in properties and prop_name not in required:
                required.append(prop_name)
    return Operation(
        name=name,
        method=method,
        path=path,
        path_params=tuple(dict.fromkeys(path_params)),
        query_params=tuple(dict.fromkeys(query_params)),
        spec={
            "name": name,
            "description": str(description),
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    )


def _with_enum_property(prop: dict) -> dict:
    if not isinstance(prop.get("enum"), list):
        return prop
    return {**prop, "description": _with_enum(str(prop.get("description") or ""), prop)}


def operations(spec: dict, names: frozenset[str] = frozenset()) -> list[Operation]:
    """Every operation with an ``operationId`` (only those in ``names`` when it is not empty), in
    the document's order; a later duplicate operationId is dropped."""
    found: dict[str, Operation] = {}
    paths = spec.get("paths") if isinstance(spec.get("paths"), dict) else {}
    for path, item in paths.items():
        if isinstance(item, dict) and isinstance(item.get("$ref"), str):
            item = _pointer(spec, item["$ref"])
        if not isinstance(path, str) or not path.startswith("/") or not isinstance(item, dict):
            continue
        shared = item.get("parameters") if isinstance(item.get("parameters"), list) else []
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            built = _operation(spec, path, method, operation, shared)
            if built is None or built.name in found or (names and built.name not in names):
                continue
            found[built.name] = built
    return list(found.values())


def title(spec: dict) -> str:
    info = spec.get("info") if isinstance(spec.get("info"), dict) else {}
    return str(info.get("title") or "")


def description(spec: dict) -> str:
    info = spec.get("info") if isinstance(spec.get("info"), dict) else {}
    return str(info.get("description") or "")

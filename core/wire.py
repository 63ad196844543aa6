"""Request bodies of the REST shims, each defined once as a pydantic model: the model checks
the body's shape, gives the OpenAPI schema (`component_schemas`) and says in its own method
which domain command the body asks for.

Shapes only: a string where a number belongs is a 400 naming the field (`items[0].quantity
must be a whole number`) before any use case runs; what values are allowed is the domain's
to decide. Models are strict (no "1" for 1, no 1 for true) and ignore fields they do not know,
as a tolerant reader of a richer API should."""

from __future__ import annotations

import functools
import types
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError

from domain.errors import InvalidInput

JsonObject = dict[str, Any]
Body = TypeVar("Body", bound="WireModel")
ISO_EXAMPLE = "2026-11-25T10:00:00Z"


class WireModel(BaseModel):
    """A JSON body as a client sends it: field names are the wire's own."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_left_out(cls, body: Any) -> Any:
        """A null where the field has a default it cannot hold (a list, an object, a flag)
        means the client left it out, as it always has; where null is a value (an optional
        text, a PATCH clearing a field) it stays, and a required field still refuses it."""
        if not isinstance(body, dict):
            return body
        unset = _null_means_unset(cls)
        return {key: value for key, value in body.items() if value is not None or key not in unset}

    def given(self, name: str) -> bool:
        """Whether the body named the field at all (a PATCH keeps what it leaves out, and an
        explicit null clears it)."""
        return name in self.model_fields_set


def also_required(*names: str) -> ConfigDict:
    """For a field the wire requires but the model reads itself (to word its own error, or
    to take OTO's loose values): the schema still lists it as required."""

    def extra(schema: dict[str, Any]) -> None:
        schema["required"] = [*schema.get("required", []), *names]
        for name in names:  # the model's own default is not one a client may rely on
            schema["properties"][name].pop("default", None)

    return ConfigDict(json_schema_extra=extra)  # type: ignore[arg-type]


@functools.cache
def _null_means_unset(model: type[WireModel]) -> frozenset[str]:
    """The wire names of a model's optional fields whose type has no room for null."""
    return frozenset(
        _wire_name(name, field)
        for name, field in model.model_fields.items()
        if not field.is_required() and not _accepts_none(field.annotation)
    )


def _accepts_none(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if annotation is object or annotation is None or annotation is type(None):
        return True
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


def _number(value: object) -> object:
    """A JSON number, kept exact: bodies are parsed with Decimal for fractions."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _timestamp(value: object) -> object:
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "Input should be a valid string")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_time_text", "not an ISO 8601 date-time") from None


Number = Annotated[Decimal, BeforeValidator(_number), WithJsonSchema({"type": "number"})]
# A time as answers write it: ISO 8601 text with its offset.
IsoTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
Timestamp = Annotated[
    datetime,
    BeforeValidator(_timestamp),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def read(model: type[Body], body: JsonObject) -> Body:
    """The body as `model`, or the first shape error as an InvalidInput naming the field."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise _refusal(model, error.errors(include_url=False)[0]) from None


# --------------------------------------------------------------------------- error wording


def _refusal(model: type[WireModel], error: ErrorDetails) -> InvalidInput:
    """Worded at the field the client wrote: `items[0].quantity`, `pickup.city`; an item of
    a list of strings, or a value of an object of strings, is the list's or object's fault."""
    path, annotation, whole = _field_at(model, error["loc"])
    if not path:
        return InvalidInput("the body must be a JSON object of the documented fields")
    if error["type"] == "missing" or (whole and error["input"] is None):
        return InvalidInput(f"{path} is required", field=path)
    if error["type"] == "date_time_text":
        expected = f"an ISO 8601 date-time such as {ISO_EXAMPLE}"
    elif error["type"] == "literal_error":
        expected = f"one of {', '.join(map(str, get_args(annotation)))}"
    else:
        expected = _described(annotation)
    return InvalidInput(f"{path} must be {expected}", field=path)


def _field_at(model: type[WireModel], loc: tuple[int | str, ...]) -> tuple[str, Any, bool]:
    """The wire path of `loc` down to the last field a client can be told about, its
    annotation, and whether that field is the whole of `loc` (not an item inside it)."""
    path, annotation, current = "", None, model
    steps = list(loc)
    while steps and current is not None:
        step = steps[0]
        field = _wire_fields(current).get(step) if isinstance(step, str) else None
        if field is None:
            break
        steps.pop(0)
        path = f"{path}.{step}" if path else str(step)
        annotation = _unwrapped(field.annotation)
        current = annotation if _is_model(annotation) else None
        if get_origin(annotation) is list and len(steps) > 1 and isinstance(steps[0], int):
            element = _unwrapped(get_args(annotation)[0])
            if _is_model(element):
                path += f"[{steps.pop(0)}]"
                annotation = current = element
    return path, annotation, not steps


def _wire_fields(model: type[WireModel]) -> dict[str, FieldInfo]:
    """A model's fields by the names the wire gives them (their alias, if they have one)."""
    return {_wire_name(name, field): field for name, field in model.model_fields.items()}


def _wire_name(name: str, field: FieldInfo) -> str:
    return field.alias or name


def _unwrapped(annotation: Any) -> Any:
    """`X | None` → X; `Annotated[X, …]` → X."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, WireModel)


_DESCRIPTIONS: dict[Any, str] = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
    Decimal: "a number",
    datetime: "a string",
}


def _described(annotation: Any) -> str:
    if _is_model(annotation):
        return "an object"
    origin = get_origin(annotation)
    if origin is list:
        element = _unwrapped(get_args(annotation)[0])
        return "a list of objects" if _is_model(element) else "a list of strings"
    if origin is dict:
        return "an object of strings"
    return _DESCRIPTIONS.get(annotation, "a valid value")


# --------------------------------------------------------------------------- OpenAPI


def component_schemas(*models: type) -> JsonObject:
    """The JSON schemas of models (or of answers' TypedDicts) as OpenAPI components, under
    their class names, with the ones they nest beside them. Titles are left out: they only
    repeat the names."""
    found: list[JsonObject] = []
    for model in models:
        schema = TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}")
        found.append(schema.pop("$defs", {}))
        found.append({model.__name__: schema})
    return _untitled(merged(*found))


def merged(*schema_sets: JsonObject) -> JsonObject:
    """Component schemas from several sources; one name given two different schemas is a
    mistake that would silently document the wrong body, so it fails at import."""
    result: JsonObject = {}
    for schemas in schema_sets:
        for name, schema in schemas.items():
            if result.setdefault(name, schema) != schema:
                raise ValueError(f"two different schemas are named {name}")
    return result


def _untitled(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            key: _untitled(value)
            for key, value in schema.items()
            if not (key == "title" and isinstance(value, str))
        }
    if isinstance(schema, list):
        return [_untitled(value) for value in schema]
    return schema


def schema_ref(model: type) -> JsonObject:
    return {"$ref": f"#/components/schemas/{model.__name__}"}

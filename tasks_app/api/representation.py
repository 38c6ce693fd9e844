"""Rows to JSON without DRF's per-field lookup machinery, and with exactly its output.

``Serializer.to_representation`` asks every field for its value through ``Field.get_attribute``: a walk over
``source_attrs`` with an ``isinstance(instance, Mapping)`` check (an ABC check, the slowest kind) and an
``inspect`` signature test per field and row. A 500-row task page runs that ~60,000 times. ``DirectFields``
reads a plain one-step source with ``getattr`` and leaves everything else to DRF: each field's own
``to_representation`` still formats the value, a failed lookup falls back to ``get_attribute`` (so defaults,
``allow_null`` and DRF's error messages are DRF's), related fields keep DRF's pk-only path, and a row that is a
mapping is serialised by DRF alone. tests/api/test_representation.py compares both on every serializer using it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers
from rest_framework.fields import Field, SkipField, is_simple_callable
from rest_framework.relations import PKOnlyObject, RelatedField

_ENABLED = True  # tests switch it off to read DRF's own output


def _reader(field: Field) -> Callable[[Any], Any]:
    """How ``field`` reads its value from a model instance."""
    attrs = field.source_attrs
    if isinstance(field, RelatedField) or len(attrs) > 1:
        return field.get_attribute
    if not attrs:  # source="*": the row itself (SerializerMethodField, nested serializers of the same row)
        return lambda instance: instance
    (attr,) = attrs

    def read(instance: Any) -> Any:
        try:
            value = getattr(instance, attr)
        except ObjectDoesNotExist:
            return None
        except (KeyError, AttributeError):
            return field.get_attribute(instance)  # DRF's default / allow_null / error message
        if callable(value) and is_simple_callable(value):
            value = value()
        return value

    return read


class DirectFields(serializers.Serializer):
    """Mixin for model serializers that write many rows (list pages); see the module docstring."""

    def _plan(self) -> list[tuple[str, Callable[[Any], Any], Field]]:
        plan = self.__dict__.get("_direct_plan")
        if plan is None:
            plan = [(field.field_name, _reader(field), field) for field in self._readable_fields]
            self.__dict__["_direct_plan"] = plan
        return plan

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if not _ENABLED or isinstance(instance, Mapping):
            return super().to_representation(instance)
        ret: dict[str, Any] = {}
        for name, read, field in self._plan():
            try:
                attribute = read(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret


class DirectModelSerializer(DirectFields, serializers.ModelSerializer):
    """``ModelSerializer`` with ``DirectFields``: the base of the API's row serializers."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema


class Choices(models.TextChoices):
    """Base of the product's choice lists: Django's TextChoices, named after their owner in the API schema.

    pydantic names an enum's schema by its bare class name and the OpenAPI document merges the schemas of
    every operation by name, so `Institution.Type` and `Exchange.Type` overwrote each other and an
    institution's type was documented as an exchange type. A choice list's schema is therefore named by
    its qualified name without dots: `InstitutionType`, `ExchangeType`, `Side`.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        name = cls.__qualname__.replace(".", "")
        return core_schema.enum_schema(cls, list(cls), sub_type="str", ref=f"{name}:{id(cls)}")


class Side(Choices):
    """The two sides of a twinning partnership."""

    HOST = "host", _("Host")
    RESOURCE = "resource", _("Resource")

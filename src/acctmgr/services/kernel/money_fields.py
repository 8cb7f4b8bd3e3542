"""The money limit (``kernel.money``) as the type of input models' amount fields.

An amount in minor units typed as ``Amount`` is refused past the limit, in a sentence naming
its field: "The estimated reduction is at most 20,000,000.00."
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, ValidationInfo

from acctmgr.services.kernel.money import MAX_MINOR, limit_sentence


def _within_limit(value: int, info: ValidationInfo) -> int:
    if abs(value) > MAX_MINOR:
        label = (info.field_name or "amount").removesuffix("_minor").replace("_", " ")
        raise ValueError(limit_sentence(f"the {label}"))
    return value


# An amount of money in minor units (cents), within the limit either side of zero.
Amount = Annotated[int, AfterValidator(_within_limit)]

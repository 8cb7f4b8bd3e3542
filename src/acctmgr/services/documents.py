"""Rendering documents from templates, and keeping each one exactly as it was sent.

Templates are Jinja2, rendered in a sandbox (a template cannot reach Python internals), with
HTML escaped in ``.html`` templates. A generated document is stored with its SHA-256, the
template version and the version of the record it was made from, and never changes afterwards.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import TemplateError, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from acctmgr.errors import InvalidInput
from acctmgr.models import Document
from acctmgr.services.context import UnitOfWork

MAX_OUTPUT = 5_000_000  # characters; a document larger than this is a broken template


@cache
def _environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        autoescape=select_autoescape(["html.j2"], default=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def shipped_template(name: str) -> str:
    """The text of a template that ships with acctmgr (``contract.html.j2``)."""
    return (resources.files("acctmgr.documents") / "templates" / name).read_text("utf-8")


def render_text(name: str, variables: dict[str, Any]) -> str:
    """Render a shipped template; a broken template is an InvalidInput with a sentence."""
    try:
        template = _environment().from_string(shipped_template(name))
        output = template.render(**variables)
    except TemplateError as error:
        raise InvalidInput(f"The template {name} is broken: {error.message}.") from None
    if len(output) > MAX_OUTPUT:
        raise InvalidInput(f"The template {name} produced a document too large to keep.")
    return output


def store(
    uow: UnitOfWork,
    *,
    kind: str,
    record: tuple[str, int, int],
    template: str,
    filename: str,
    media_type: str,
    content: bytes,
) -> Document:
    """Keep a generated document with its hash; ``record`` is (type, id, version)."""
    record_type, record_id, record_version = record
    return uow.add(
        Document(
            kind=kind,
            record_type=record_type,
            record_id=record_id,
            record_version=record_version,
            template_name=template,
            template_version=0,
            media_type=media_type,
            filename=filename,
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            created_by_id=uow.actor.id if uow.actor else None,
        )
    )

"""The sandbox templates are filled in: an admin's template is code, so it runs with limits.

- it cannot reach Python internals (``__class__``, ``__globals__``...): Jinja2's immutable
  sandbox refuses them, and here the refusal stops the render instead of printing nothing;
- its output stops at ``MAX_OUTPUT`` characters: the template is streamed and counted;
  ``*`` on text or lists, ``join``, padding (``center``, ``ljust``...) and ``replace`` are
  checked before they build anything larger, because one such call is a single C operation
  the time limit cannot interrupt; ``+`` and ``~`` are measured after, as they only add up what
  exists; ``%`` and ``format`` are refused;
- a number it makes stays under ``MAX_BITS``: ``**`` and ``*`` on whole numbers are checked
  before they compute, ``to_bytes`` before it allocates, every other result after;
- its text is at most ``MAX_SOURCE`` characters, and it is parsed here, in the caller's process,
  so a syntax error or a nesting too deep is refused before anything runs.

Time and memory are not held here: the render runs in a child process of the render pool
(``documents.render_pool``), which is stopped at its limits. This module is what both sides
share: ``check_source`` is the parent's first line, ``render_source`` what the child runs.

A broken template is an ``InvalidInput`` with one sentence, never a broken document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sized
from functools import cache, lru_cache
from typing import Any, TypeVar

from jinja2 import (
    Template,
    TemplateError,
    TemplateSyntaxError,
    Undefined,
    nodes,
    pass_eval_context,
    select_autoescape,
)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.filters import do_indent, do_replace
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from acctmgr.errors import InvalidInput
from acctmgr.services.kernel import locale_format

MAX_OUTPUT = 5_000_000  # characters; a document larger than this is a broken template
MAX_PIECE = 1_000_000  # characters (or items) one expression may build
MAX_SOURCE = 500_000  # characters of template text
MAX_BITS = 10_000  # a whole number a template makes: about 3,000 digits
MAX_BYTES = MAX_PIECE  # what ``to_bytes`` may make
T = TypeVar("T")


class _CheckedConcat(CodeGenerator):
    """Compiles ``a ~ b`` so the joined text is measured; joining at most doubles what already
    exists, so checking the result is enough."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802 (Jinja2's name)
        self.write("environment.checked_size(")
        super().visit_Concat(node, frame)
        self.write(")")


# String methods that build text whose size an argument decides ('x'.ljust(10**8)).
_PADDING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with sizes checked before ``*``, ``%``, padding or replacing build a huge
    value, and unsafe attributes refused outright instead of printing as nothing."""

    intercepted_binops = frozenset({"*", "%", "**", "+"})
    code_generator_class = _CheckedConcat

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(f"it uses {attribute!r}, which templates may not reach")

    def checked_size(self, value: T) -> T:
        if isinstance(value, str | bytes | list | tuple) and len(value) > MAX_OUTPUT:
            raise SecurityError("it builds more text than a document may hold")
        if isinstance(value, int) and value.bit_length() > MAX_BITS:
            raise SecurityError(TOO_BIG_A_NUMBER)
        return value

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if (
                    isinstance(sequence, str | bytes)
                    and isinstance(times, int)
                    and len(sequence) * max(times, 0) > MAX_PIECE
                ):
                    raise SecurityError("it repeats text to more than a million characters")
                if (
                    isinstance(sequence, list | tuple)
                    and isinstance(times, int)
                    and _weight(sequence) * max(times, 0) > MAX_PIECE
                ):
                    raise SecurityError("it repeats a list to more than a million items")
        if operator == "%" and isinstance(left, str | bytes):
            raise SecurityError("'%' formatting is not allowed; use the format filters")
        if operator == "**" and isinstance(right, int) and abs(right) > 100:
            raise SecurityError("it raises a number to too high a power")
        if isinstance(left, int) and isinstance(right, int):
            _check_int_binop(operator, left, right)
        return self.checked_size(super().call_binop(context, operator, left, right))

    def call(
        __self,  # noqa: N805 (Jinja2's own signature: the template may pass "self")
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str | bytes):
            method = getattr(__obj, "__name__", "")
            if method in ("format", "format_map"):
                raise SecurityError("'format' is not allowed; use the format filters")
            if method == "join" and args:
                return _join(args[0], owner if isinstance(owner, str) else owner.decode())
            if method in _PADDING:
                _check_width(owner, args, kwargs)
            if method == "replace":
                _check_replace(owner, *args[:2])
        if isinstance(owner, int) and getattr(__obj, "__name__", "") == "to_bytes":
            length = args[0] if args else kwargs.get("length", 1)
            if isinstance(length, int) and length > MAX_BYTES:
                raise SecurityError("it makes more than a million bytes from a number")
        return __self.checked_size(super().call(__context, __obj, *args, **kwargs))


TOO_BIG_A_NUMBER = f"it makes a number larger than {MAX_BITS:,} bits"


def _weight(items: list[Any] | tuple[Any, ...]) -> int:
    """The items of a list and what its texts and lists hold: ``['x' * 999] * 999`` weighs
    999,000, as printing it writes that much. One level deep: the memory limit of the render
    process holds the rest."""
    return len(items) + sum(len(item) for item in items if isinstance(item, Sized))


def _check_int_binop(operator: str, left: int, right: int) -> None:
    """Refuse ``**`` or ``*`` whose result would pass ``MAX_BITS``, before it is computed: one
    such operation on huge numbers holds the interpreter for minutes."""
    if operator == "**" and right > 0 and abs(left) > 1:
        bits = (abs(left).bit_length() - 1) * right + 1  # at least this many
    elif operator == "*":
        bits = abs(left).bit_length() + abs(right).bit_length() - 1
    else:
        return
    if bits > MAX_BITS:
        raise SecurityError(TOO_BIG_A_NUMBER)


def _check_width(text: str | bytes, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    widths = [value for value in (*args, *kwargs.values()) if isinstance(value, int)]
    tabs = text.count("\t") if isinstance(text, str) else text.count(b"\t")
    if any(width > MAX_PIECE or width * tabs > MAX_PIECE for width in widths):
        raise SecurityError("it pads text to more than a million characters")


def _check_replace(text: Any, old: Any = "", new: Any = "") -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        grows = (text.count(old) if old else len(text) + 1) * max(len(new) - len(old), 0)
        if len(text) + grows > MAX_PIECE:
            raise SecurityError("it replaces text to more than a million characters")


def _center(value: Any, width: int = 80) -> str:
    _check_width(str(value), (width,), {})
    return str(value).center(width)


def _indent(value: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    text = str(value)
    pad = width if isinstance(width, str) else " " * min(max(width, 0), MAX_PIECE + 1)
    if len(pad) * (text.count("\n") + 1) + len(text) > MAX_PIECE:
        raise SecurityError("it indents text to more than a million characters")
    return str(do_indent(text, width, first, blank))


def _replace(
    eval_ctx: EvalContext, value: Any, old: str, new: str, count: int | None = None
) -> Any:
    _check_replace(str(value), str(old), str(new))
    return do_replace(eval_ctx, value, old, new, count)


def _refuse_format(*_args: Any, **_kwargs: Any) -> str:
    raise SecurityError("'format' is not allowed; use the format filters")


def _join(items: Iterable[Any], separator: str = "") -> str:
    """Jinja2's ``join``, refusing to build more than a document may hold."""
    parts: list[str] = []
    size = 0
    for item in items:
        text = str(item)
        size += len(text) + len(separator)
        if size > MAX_OUTPUT:
            raise SecurityError("it joins more text than a document may hold")
        parts.append(text)
    return separator.join(parts)


@cache
def _environment(locale: str) -> TemplateEnvironment:
    environment = TemplateEnvironment(
        autoescape=select_autoescape(["html.j2"], default=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.pop("lipsum", None)  # it writes text of any length
    environment.filters.update(
        join=_join,
        money=lambda minor, currency: locale_format.money(minor, currency, locale),
        number=lambda value: locale_format.number(value, locale),
        percent=lambda value: locale_format.percent(value, locale),
        date=lambda value: locale_format.day(value, locale),
        center=_center,
        indent=_indent,
        replace=pass_eval_context(_replace),
        format=_refuse_format,
    )
    return environment


def check_source(name: str, source: str, *, locale: str = "en_US") -> None:
    """The parent's first line: refuse template text that is too long, does not parse or nests
    too deeply, with one sentence, before any of it runs."""
    if len(source) > MAX_SOURCE:
        raise InvalidInput(
            f"The template {name} is longer than {MAX_SOURCE:,} characters.", field="body"
        )
    try:
        _environment(locale_format.usable_locale(locale)).parse(source)
    except TemplateSyntaxError as error:
        raise _syntax_error(name, error) from None
    except (RecursionError, MemoryError):
        raise InvalidInput(too_deep(name), field="body") from None


def too_deep(name: str) -> str:
    """The sentence for a template that nests, or calls itself, deeper than Python can follow."""
    return f"The template {name} nests or calls itself too deeply and was stopped."


def _syntax_error(name: str, error: TemplateSyntaxError) -> InvalidInput:
    return InvalidInput(
        f"The template {name} has an error on line {error.lineno}: {error.message}.",
        field="body",
    )


@lru_cache(maxsize=32)
def _compiled(locale: str, source: str) -> Template:
    # A worker fills in the same few templates again and again; compiling is most of the cost.
    return _environment(locale).from_string(source)


def render_source(
    name: str, source: str, variables: dict[str, Any], *, locale: str = "en_US"
) -> str:
    """Render template text in the sandbox; InvalidInput when it is broken.

    It holds no time or memory limit: the render pool's child process calls it under its own.
    """
    try:
        template = _compiled(locale_format.usable_locale(locale), source)
    except TemplateSyntaxError as error:
        raise _syntax_error(name, error) from None

    try:
        pieces: list[str] = []
        size = 0
        for piece in template.generate(**variables):
            size += len(piece)
            if size > MAX_OUTPUT:
                raise SecurityError("it writes more than a document may hold")
            pieces.append(piece)
        return "".join(pieces)
    except SecurityError as error:
        raise InvalidInput(f"The template {name} was stopped: {error}.", field="body") from None
    except TemplateError as error:
        raise InvalidInput(
            f"The template {name} cannot be filled in: {error.message}.", field="body"
        ) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as error:
        raise InvalidInput(
            f"The template {name} cannot be filled in: {error}.", field="body"
        ) from None

"""An admin's template is code: it cannot reach Python's insides, write without end, or run
forever; each refusal is one sentence, never a traceback."""

from __future__ import annotations

import time

import pytest

from acctmgr.errors import InvalidInput
from acctmgr.services.documents.render_pool import fill_in


def refusal(source: str, *, seconds: float = 5.0) -> str:
    with pytest.raises(InvalidInput) as caught:
        fill_in("test.html.j2", source, {}, seconds=seconds)
    message = caught.value.message
    assert caught.value.field == "body"
    assert message.endswith(".")
    assert "\n" not in message
    assert "Traceback" not in message
    return message


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ ().__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ namespace.__init__.__globals__['os'] }}",
    ],
)
def test_python_internals_are_out_of_reach(source: str) -> None:
    """A template reaching for Python's internals is refused with a sentence."""
    assert refusal(source).startswith("The template test.html.j2 ")


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",  # 100 MB written
        "{{ 'x' * 100000000 }}",  # one huge string
        "{{ ['x'] * 100000000 }}",  # one huge list
        "{{ range(10000000)|join(',') }}",
        "{{ 'x'|center(100000000) }}",
        "{{ 'x'.ljust(100000000) }}",
        "{{ 'x'.zfill(100000000) }}",
        "{{ ('\\t' * 1000).expandtabs(100000) }}",
        "{{ ('x' * 1000000).replace('x', 'xxxxxxxxxx') }}",
        "{{ ('x' * 1000000)|replace('x', 'xxxxxxxxxx') }}",
        "{{ 'x'|indent(100000000) }}",
        "{{ '{:>100000000}'.format('x') }}",
        "{{ '%100000000s'|format('x') }}",
        "{% set ns = namespace(s='x' * 1000000) %}"
        "{% for i in range(30) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set ns = namespace(s='x' * 1000000) %}"
        "{% for i in range(30) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "{% set ns = namespace(n=2**100) %}"
        "{% for i in range(30) %}{% set ns.n = ns.n * ns.n %}{% endfor %}",  # 2**(100*2**30)
        "{% set ns = namespace(n=2**100) %}"
        "{% for i in range(99999) %}{% set ns.n = ns.n + ns.n %}{% endfor %}",
    ],
)
def test_huge_output_is_stopped_quickly(source: str) -> None:
    """A template that writes without end is stopped within two seconds."""
    started = time.monotonic()
    message = refusal(source)
    assert time.monotonic() - started < 2.0
    assert "stopped" in message or "cannot be filled in" in message


def test_a_loop_that_writes_nothing_is_stopped_by_the_time_limit() -> None:
    """A loop that writes nothing is stopped by the time limit, which the sentence names."""
    started = time.monotonic()
    message = refusal(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        seconds=0.5,
    )
    assert time.monotonic() - started < 2.0
    assert message == "The template test.html.j2 took longer than 0.5 seconds and was stopped."


def test_a_syntax_error_names_its_line() -> None:
    """A syntax error is refused with the line it is on."""
    message = refusal("<p>fine</p>\n<p>{{ quote.number </p>\n")
    assert message.startswith("The template test.html.j2 has an error on line 2:")


def test_percent_formatting_is_refused() -> None:
    """Percent formatting, a way to build a huge string, is refused."""
    assert "'%' formatting is not allowed" in refusal("{{ '%100000000s' % 'x' }}")


def test_an_ordinary_template_renders_with_escaped_customer_text() -> None:
    """An ordinary template renders, customer text escaped and money as the locale writes it."""
    filled = fill_in(
        "test.html.j2",
        "<p>{{ name }}: {{ amount|money('EUR') }}</p>",
        {"name": "<Acme>", "amount": 123456},
        locale="de_DE",
    )
    assert filled.text == "<p>&lt;Acme&gt;: 1.234,56\xa0€</p>"


def test_a_pdf_embeds_only_the_fonts_its_text_uses() -> None:
    """A PDF embeds the fonts its text uses and no other; bold and italics still print."""
    plain = fill_in("test.html.j2", "<p>plain</p>", {}, pdf_title="t").pdf
    styled = fill_in("test.html.j2", "<p>x <b>bold</b> <em>it</em></p>", {}, pdf_title="t").pdf
    assert plain.startswith(b"%PDF")
    assert (plain.count(b"/FontFile2"), styled.count(b"/FontFile2")) == (1, 3)

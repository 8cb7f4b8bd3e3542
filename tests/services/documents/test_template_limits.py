"""No template can hang or exhaust acctmgr: each payload found to hang or exhaust the process
is refused in one sentence, quickly, and the template in use stays in use (the workers that
hold the limits: test_render_pool.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import partial

import pytest

from acctmgr.errors import InvalidInput
from acctmgr.services.documents import rendering as documents
from acctmgr.services.documents import sample_data
from acctmgr.services.documents import templates as template_service
from acctmgr.services.kernel.context import Context
from acctmgr.services.kernel.unit_of_work import UnitOfWork, run_use_case

NAME = "po_email.txt.j2"  # a text template: no PDF to lay out, so each case costs its payload
KEPT = "Kept for {{ contact_name }}"
MEMORY = "needed more than the 256 MB a template may use and was stopped"
TOO_DEEP = "nests or calls itself too deeply and was stopped"
HUGE = "{% set y = ['x'*999999]*999999 %}"
REPEATS = "it repeats a list to more than a million items"
# Each payload found to hang or exhaust the process, and what its sentence says.
PAYLOADS = [
    ("{{ ((((9**99)**99)**99)**99) > 1 }}", "it makes a number larger than 10,000 bits"),
    ("{% set y = [[1]*999999]*999999 %}{{ (y|sum(start=[]))|length }}", REPEATS),
    (HUGE + "{{ y|tojson|length }}", REPEATS),
    (HUGE + "{{ y|string|length }}", REPEATS),
    (HUGE + "{{ y|map('upper')|list|length }}", REPEATS),
    (HUGE + "{{ y|pprint|length }}", REPEATS),
    ("{{ (1).to_bytes(10**10, 'big')|length }}", "more than a million bytes from a number"),
    ("{{ (1).to_bytes(10**9, 'big')|length }}", "more than a million bytes from a number"),
    ("{% macro f(n) %}{{ f(n+1) }}{% endmacro %}{{ f(0) }}", TOO_DEEP),
    # Beyond what the sandbox sizes: a list of lists of texts, a billion characters in all.
    ("{% set y = [['x'*999]*999]*999 %}{{ y|tojson|length }}", MEMORY),
    ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", TOO_DEEP),
]
FILE_SECONDS = 30.0
SPENT: list[float] = []  # the seconds each test of this file took


@pytest.fixture(scope="module", autouse=True)
def whole_file_in_time() -> Iterator[None]:
    """The tests of this file together take less than FILE_SECONDS: the time in their bodies,
    summed (a test database's setup, or another file's tests that a pytest-xdist worker runs in
    between, do not count)."""
    yield
    assert sum(SPENT) < FILE_SECONDS, f"the template limits took {sum(SPENT):.1f} s"


def one_sentence(error: InvalidInput, fragment: str) -> None:
    message = error.message
    assert fragment in message
    assert message.startswith(f"The template {NAME} ")
    assert message.endswith(".")
    assert ". " not in message
    assert "\n" not in message
    assert error.field == "body"


def in_use(admin: Context) -> str:
    """What the template in use makes of its sample data, as the next e-mail is made."""

    def work(uow: UnitOfWork) -> str:
        return documents.render(uow, NAME, sample_data.sample_variables(NAME)).text

    return run_use_case(admin, "test.render", False, True, work)


def test_every_hostile_template_is_refused_in_one_sentence_and_the_old_one_kept(
    admin: Context,
) -> None:
    """Each template that would hang or exhaust the process is refused in one sentence, at once,
    by a preview and by a save, and the template saved before them is still the one in use."""
    started = time.monotonic()
    kept = template_service.save_template(admin, NAME, 0, KEPT)
    assert in_use(admin) == "Kept for Anna Berger"
    for payload, fragment in PAYLOADS:
        for attempt in (
            partial(template_service.preview_template, admin, NAME, payload),
            partial(template_service.save_template, admin, NAME, kept.version, payload),
        ):
            began = time.monotonic()
            with pytest.raises(InvalidInput) as caught:
                attempt()
            assert time.monotonic() - began < 5.0, payload  # a check or a limit stopped it
            one_sentence(caught.value, fragment)
        view = template_service.get_template(admin, NAME)
        assert (view.version, view.body) == (1, KEPT), payload
        assert in_use(admin) == "Kept for Anna Berger", payload
    assert template_service.preview_template(admin, NAME, KEPT) == "Kept for Anna Berger"
    SPENT.append(time.monotonic() - started)

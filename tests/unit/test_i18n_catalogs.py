"""The words of every reply: catalogs complete and fresh, CLDR plurals, no stray English.

English is the source language (handlers/templates/*.j2, handlers/labels.py); Polish and
Russian live in handlers/locale/<lang>/LC_MESSAGES/brygada.po, compiled to .mo by
``make install`` / ``make messages``.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes

from handlers.rendering import LOCALE, PLAIN, TEMPLATES, Renderer, translations

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ("pl", "ru")
COUNTS = (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111)
# msgstr index of each CLDR category, as our Plural-Forms number them
FORM_INDEX = {"one": 0, "few": 1, "many": 2}
GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
# calls whose string arguments are not prose: label keys, commands shown as code
NOT_PROSE_CALLS = GETTEXT_CALLS | {"t", "code"}
SHOWING_CALLS = {"b", "i", "link"}  # markup helpers: their text is shown
_LETTER = re.compile(r"[^\W\d_]")
_HTML_TAG = re.compile(r"<[^<>]*>")
_KEY = re.compile(r"[a-z_][a-z0-9_.]*")  # "today", "lost_reason": keys, not words
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalog(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "brygada.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def messages(lang: str) -> list[Message]:
    return [m for m in catalog(lang) if m.id]


def extracted() -> set[tuple[str | None, str]]:
    """What `make messages` extracts now, as (context, msgid)."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords={
            "_": None,
            "gettext": None,
            "ngettext": (1, 2),
            "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3),
            "_l": ((1, "c"), 2),
            "N_": None,
        },
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.add((context, msgid))
    return found


def test_catalogs_hold_exactly_what_the_source_says() -> None:
    source = extracted()
    assert len(source) > 500
    for lang in TARGETS:
        held = {(m.context, m.id[0] if m.pluralizable else m.id) for m in messages(lang)}
        assert source - held == set(), f"{lang}: not in the catalog, run `make messages`"
        assert held - source == set(), f"{lang}: no longer in the source, run `make messages`"


@pytest.mark.parametrize("lang", TARGETS)
def test_every_message_is_translated(lang: str) -> None:
    cat = catalog(lang)
    problems = []
    for m in messages(lang):
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy or not all(f.strip() for f in forms):
            problems.append(f"{m.context or ''} {m.id!r}: untranslated or fuzzy")
        sources = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = {p for s in sources for p in _PLACEHOLDER.findall(s)} | (
            {"num"} if m.pluralizable else set()
        )
        for form in forms:
            if m.pluralizable:
                # a form may leave out the number ("one" in some languages), not a name
                missing = wanted - {"num"} - set(_PLACEHOLDER.findall(form))
            else:
                missing = wanted - set(_PLACEHOLDER.findall(form))
            extra = set(_PLACEHOLDER.findall(form)) - wanted
            if missing or extra:
                problems.append(f"{m.id!r}: placeholders {missing=} {extra=} in {form!r}")
            if m.context is None and re.search(r"[<>&]", form):
                problems.append(f"{m.id!r}: markup characters in {form!r}")
    problems += [f"{m.id!r}: {errors}" for m, errors in cat.check() if errors]
    assert problems == []


@pytest.mark.parametrize("lang", TARGETS)
def test_compiled_catalog_is_fresh(lang: str) -> None:
    """The .mo the renderer loads says what the .po says (else: `make messages`)."""
    tr = translations(lang)
    for m in messages(lang):
        if m.pluralizable:
            got = (
                tr.npgettext(m.context, m.id[0], m.id[1], 1)
                if m.context
                else tr.ngettext(m.id[0], m.id[1], 1)
            )
            assert got == m.string[FORM_INDEX[Locale(lang).plural_form(1)]]
        elif m.context:
            assert tr.pgettext(m.context, m.id) == m.string, m.id
        else:
            assert tr.gettext(m.id) == m.string, m.id


@pytest.mark.parametrize("lang", TARGETS)
def test_plural_forms_follow_cldr(lang: str) -> None:
    rule = get_plural(lang)
    assert catalog(lang).plural_forms == f"nplurals={rule.num_plurals}; plural={rule.plural_expr};"
    plural = [m for m in messages(lang) if m.pluralizable]
    assert len(plural) >= 8
    locale = Locale(lang)
    tr = translations(lang)
    for m in plural:
        assert len(m.string) == 3, m.id
        for n in COUNTS:
            wanted = m.string[FORM_INDEX[locale.plural_form(n)]]
            assert tr.ngettext(m.id[0], m.id[1], n) == wanted, (m.id, n)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["Sales: 1 deal", "Sales: 2 deals", "Sales: 5 deals"]),
        ("pl", ["Sprzedaż: 1 transakcja", "Sprzedaż: 2 transakcje", "Sprzedaż: 5 transakcji"]),
        ("ru", ["Продажи: 1 сделка", "Продажи: 2 сделки", "Продажи: 5 сделок"]),
    ],
)
def test_funnel_counts_deals_in_words(lang: str, expected: list[str]) -> None:
    name = {"en": "Sales", "pl": "Sprzedaż", "ru": "Продажи"}[lang]
    funnels = [
        SimpleNamespace(name=name, total=n, won_rate=None, stages=[]) for n in (1, 2, 5, 12, 22)
    ]
    text = Renderer(PLAIN).text(
        "crm_funnel", lang, {"funnels": funnels, "period": "month", "since": None}
    )
    for line in expected:
        assert line in text.splitlines(), text
    if lang == "ru":
        assert "Продажи: 22 сделки" in text and "Продажи: 12 сделок" in text
    if lang == "pl":
        assert "Sprzedaż: 22 transakcje" in text and "Sprzedaż: 12 transakcji" in text


# -- no English outside gettext ------------------------------------------------------------


def _prose(value: str) -> bool:
    return bool(_LETTER.search(_HTML_TAG.sub("", value)))


def _stray_literals(expr: nodes.Node, shown: bool = True) -> list[str]:
    """String constants with letters that an expression would show untranslated.

    ``shown``: the value is output as it is (not, say, a key handed to a macro), so even a
    lone lowercase word counts.
    """
    if isinstance(expr, nodes.Const):
        value = expr.value
        if isinstance(value, str) and _prose(value) and (shown or not _KEY.fullmatch(value)):
            return [value]
        return []
    if isinstance(expr, nodes.Call):
        name = expr.node.name if isinstance(expr.node, nodes.Name) else None
        if name in NOT_PROSE_CALLS:
            return []
        args_shown = name in SHOWING_CALLS
        found = []
        for arg in [*expr.args, *(kw.value for kw in expr.kwargs)]:
            found += _stray_literals(arg, args_shown)
        return found
    if isinstance(expr, nodes.Filter | nodes.Test):  # args: formats, separators
        return _stray_literals(expr.node, shown) if expr.node is not None else []
    if isinstance(expr, nodes.Compare):
        return []  # compared, not shown
    if isinstance(expr, nodes.CondExpr):
        return _stray_literals(expr.expr1, shown) + (
            _stray_literals(expr.expr2, shown) if expr.expr2 is not None else []
        )
    found = []
    for child in expr.iter_child_nodes():
        found += _stray_literals(child, shown)
    return found


def english_outside_gettext(source: str) -> list[str]:
    env = Environment(extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    tree = env.parse(source)
    stray = []
    for output in tree.find_all(nodes.Output):
        # the output's text with each value as \0: an HTML tag may hold values
        text = ""
        for child in output.nodes:
            if isinstance(child, nodes.TemplateData):
                text += child.data
            else:
                text += "\0"
                stray += _stray_literals(child)
        stray += [part.strip() for part in _HTML_TAG.sub("", text).split("\0") if _prose(part)]
    for assign in tree.find_all(nodes.Assign):
        stray += _stray_literals(assign.node, shown=False)
    return stray


def test_templates_have_no_words_outside_gettext() -> None:
    stray = {
        path.name: found
        for path in sorted(TEMPLATES.glob("*.j2"))
        if (found := english_outside_gettext(path.read_text(encoding="utf-8")))
    }
    assert stray == {}


def test_the_check_sees_stray_words() -> None:
    assert english_outside_gettext("{{ b(_('Result:')) }} {{ x }}") == []
    assert english_outside_gettext("Result: {{ x }}") == ["Result:"]
    assert english_outside_gettext('{{ b("Result:") }}') == ["Result:"]
    assert english_outside_gettext('{{ x if y else "nobody" }}') == ["nobody"]
    assert english_outside_gettext('{{ "(for " ~ x ~ ")" }}') == ["(for "]
    assert english_outside_gettext('{% set z = "some text" %}') == ["some text"]
    assert english_outside_gettext('{% set keys = ("lost_reason", "stage") %}') == []
    assert english_outside_gettext('{{ t("status." ~ s) }} {{ d|when("HH:mm") }}') == []
    assert english_outside_gettext('<p><input name="a" value="{{ v }}" id="{{ w }}"></p>') == []
    assert english_outside_gettext("<p>Name: {{ v }}</p>") == ["Name:"]
    assert english_outside_gettext('{{ names.get(x, "web") }} {{ m(task, "today") }}') == []


def test_the_old_per_language_copies_are_gone() -> None:
    assert not [p for p in TEMPLATES.iterdir() if p.is_dir() and p.name != "__pycache__"]


@pytest.mark.parametrize("lang", TARGETS)
def test_catalog_headers_are_ours(lang: str) -> None:
    """The header names the project and the team, not Babel's placeholders (`make
    messages` keeps each catalog's header: see the Makefile)."""
    text = (LOCALE / lang / "LC_MESSAGES" / "brygada.po").read_text(encoding="utf-8")
    header = text.split("\n\n", 1)[0]
    for boilerplate in ("FIRST AUTHOR", "EMAIL@ADDRESS", "FULL NAME", "YEAR-MO-DA", "ORGANIZATION"):
        assert boilerplate not in header
    assert "LL@li.org" not in header and "Brygada VERSION" not in header
    cat = catalog(lang)
    assert cat.project == "Brygada" and cat.language_team and "Brygada" in cat.language_team
    assert cat.locale is not None and cat.locale.language == lang

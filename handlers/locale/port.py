"""Port a reply from the old three-copy layout to one template with gettext.

Before issue 18 every reply existed as ``handlers/templates/{en,pl,ru}/NAME.j2``, three
copies with the same jinja structure and different words. This tool turns such a triple
into one ``handlers/templates/NAME.j2`` whose words are ``_()`` calls, and writes the
Polish and Russian words of the old copies into the catalogs as their translations::

    .venv/bin/python -m handlers.locale.port NAME...   # then: make messages

It is mechanical on purpose (see handlers/locale/README.md): the three copies must have
the same tags; text between tags becomes one message per line (``{{ value }}`` inside it
becomes a named placeholder), string literals that differ between the copies become
``_("...")``. What it cannot port (copies with different tags) it refuses, naming the
place; port those by hand. Plurals are not guessed: turn "(s)" and counts into
``ngettext`` by hand afterwards.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from jinja2 import Environment, nodes

HANDLERS = Path(__file__).resolve().parent.parent
TEMPLATES = HANDLERS / "templates"
LOCALE = HANDLERS / "locale"
DOMAIN = "brygada"
SOURCE = "en"
TARGETS = ("pl", "ru")

_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.S)
_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
# Where a message ends inside text: a line break; in an HTML page (the website form) also
# a tag, or the part of a tag before a ``{{ value }}`` inside it (what follows the value,
# up to the tag's ">", is cut off first: see _Porter.split).
_BREAK = re.compile(r"(\n)")
_BREAK_HTML = re.compile(r"(\n|<[A-Za-z/!][^<>]*>|<[A-Za-z/!][^<>]*$)")
_LETTER = re.compile(r"[^\W\d_]")
_LANG_PATH = re.compile(r"lang\s*~\s*\"/([^\"]+)\"")


class PortError(Exception):
    """The copies differ in structure; the message says where."""


@dataclass
class Ported:
    """One template's single text and the translations its copies carried."""

    name: str
    text: str
    # msgid -> {lang: translation}
    messages: dict[str, dict[str, str]] = field(default_factory=dict)


def has_letters(text: str) -> bool:
    return bool(_LETTER.search(text))


def jinja_literal(text: str) -> str:
    """A double-quoted jinja string literal for ``text``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unquote(literal: str) -> str:
    value = ast.literal_eval(literal)
    assert isinstance(value, str)
    return value


def _split_tags(source: str) -> list[str]:
    """Alternating text and tags: even indices are text, odd ones ``{{ }}``/``{% %}``/``{# #}``."""
    return _TAG.split(source)


@dataclass
class _Copies:
    """The same piece in every language, English first."""

    by_lang: dict[str, str]

    @property
    def en(self) -> str:
        return self.by_lang[SOURCE]


class _Porter:
    def __init__(self, name: str, sources: dict[str, str]) -> None:
        self.name = name
        self.sources = sources
        self.result = Ported(name, "")
        self._env = Environment()
        self._html = "<html" in sources[SOURCE].lower()
        self._in_tag = False  # HTML: the English text so far ends inside a tag

    def split(self, text: str) -> list[str]:
        """Text as alternating message parts and breaks (even: text, odd: break)."""
        if not self._html:
            return _BREAK.split(text)
        head = ""
        if self._in_tag:  # the rest of a tag after a {{ value }} inside it
            end = text.find(">")
            head, text = (text, "") if end < 0 else (text[: end + 1], text[end + 1 :])
        return ["", head, *_BREAK_HTML.split(text)] if head else _BREAK_HTML.split(text)

    def track(self, text: str) -> None:
        if self._html:
            last_open, last_close = text.rfind("<"), text.rfind(">")
            if last_open > last_close:
                self._in_tag = True
            elif last_close > last_open:
                self._in_tag = False

    def fail(self, what: str) -> PortError:
        return PortError(f"{self.name}: {what}")

    # -- string literals inside tags ---------------------------------------------------
    def tag(self, copies: _Copies) -> str:
        """A tag with the literals that differ between languages wrapped in ``_()``."""
        parts = {lang: _STRING.split(text) for lang, text in copies.by_lang.items()}
        literals = {lang: _STRING.findall(text) for lang, text in copies.by_lang.items()}
        if any(p != parts[SOURCE] for p in parts.values()) or any(
            len(lits) != len(literals[SOURCE]) for lits in literals.values()
        ):
            raise self.fail(f"tags differ: {copies.by_lang}")
        out = [parts[SOURCE][0]]
        for index, literal in enumerate(literals[SOURCE]):
            values = {lang: _unquote(lits[index]) for lang, lits in literals.items()}
            if len(set(values.values())) > 1:
                self.add(values)
                out.append(f"_({jinja_literal(values[SOURCE])})")
            else:
                out.append(literal)
            out.append(parts[SOURCE][index + 1])
        text = "".join(out)
        # {% include lang ~ "/x.j2" %} -> {% include "x.j2" %}: one template per reply now
        return _LANG_PATH.sub(lambda m: jinja_literal(m.group(1)), text)

    def add(self, values: dict[str, str]) -> None:
        msgid = values[SOURCE]
        known = self.result.messages.setdefault(msgid, {})
        for lang in TARGETS:
            if known.get(lang, values[lang]) != values[lang]:
                raise self.fail(
                    f"{msgid!r} is translated two ways ({known[lang]!r}, {values[lang]!r}): "
                    "give one a context by hand"
                )
            known[lang] = values[lang]

    # -- text between tags -------------------------------------------------------------
    def port(self) -> Ported:
        pieces = {lang: _split_tags(text) for lang, text in self.sources.items()}
        if len({len(p) for p in pieces.values()}) != 1:
            raise self.fail("the copies have different tags")
        out: list[str] = []
        run: list[tuple[str, _Copies]] = []  # ("text"|"var", copies) between breaks
        for index in range(len(pieces[SOURCE])):
            copies = _Copies({lang: p[index] for lang, p in pieces.items()})
            if index % 2 == 0:
                split = {lang: self.split(text) for lang, text in copies.by_lang.items()}
                self.track(copies.en)
                if len({len(s) for s in split.values()}) != 1:
                    raise self.fail(f"line breaks differ in {copies.by_lang}")
                for j in range(len(split[SOURCE])):
                    part = _Copies({lang: s[j] for lang, s in split.items()})
                    if j % 2 == 0:
                        if part.en or any(part.by_lang.values()):
                            run.append(("text", part))
                    else:
                        if any(v != part.en for v in part.by_lang.values()):
                            raise self.fail(f"breaks differ: {part.by_lang}")
                        out.append(self.message(run))
                        run = []
                        out.append(part.en)
            elif copies.en.startswith("{{"):
                run.append(("var", _Copies({SOURCE: self.tag(copies)})))
            else:
                out.append(self.message(run))
                run = []
                out.append(self.tag(copies) if copies.en.startswith("{%") else copies.en)
        out.append(self.message(run))
        self.result.text = "".join(out)
        return self.result

    def message(self, run: Sequence[tuple[str, _Copies]]) -> str:
        """One line's run of text and ``{{ }}`` as a single ``_()`` call."""
        if not run:
            return ""
        raw = "".join(c.en for _, c in run)
        if not any(
            kind == "text" and has_letters(c.en + "".join(c.by_lang.values())) for kind, c in run
        ):
            return raw
        langs = list(self.sources)
        head, tail = {}, {}
        texts: dict[str, list[str]] = {lang: [] for lang in langs}
        names: dict[str, str] = {}  # expression -> placeholder
        kwargs: list[str] = []
        for kind, c in run:
            if kind == "var":
                expr = c.en[2:-2].strip()
                if expr not in names:
                    names[expr] = self.placeholder(expr, set(names.values()))
                    kwargs.append(f"{names[expr]}={expr}")
                for lang in langs:
                    texts[lang].append(f"%({names[expr]})s")
            else:
                for lang in langs:
                    texts[lang].append(c.by_lang[lang].replace("%", "%%"))
        values: dict[str, str] = {}
        for lang in langs:
            joined = "".join(texts[lang])
            stripped = joined.strip()
            start = joined.index(stripped[0]) if stripped else 0
            head[lang], tail[lang] = joined[:start], joined[start + len(stripped) :]
            values[lang] = stripped
        if len(set(head.values())) > 1 or len(set(tail.values())) > 1:
            raise self.fail(f"spacing around {values[SOURCE]!r} differs between languages")
        self.add(values)
        call = ", ".join([jinja_literal(values[SOURCE]), *kwargs])
        return f"{head[SOURCE]}{{{{ _({call}) }}}}{tail[SOURCE]}"

    def placeholder(self, expr: str, taken: set[str]) -> str:
        """A readable placeholder name for an expression (``task.deadline|when`` -> deadline)."""
        template = self._env.parse("{{ " + expr + " }}")
        output = template.body[0]
        assert isinstance(output, nodes.Output)
        base = _name_of(output.nodes[0]) or "value"
        name, n = base, 2
        while name in taken or name in {"num", "context"}:
            name, n = f"{base}{n}", n + 1
        return name


def _name_of(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return node.attr.removesuffix("_id") if node.attr.endswith("_id") else node.attr
    if isinstance(node, nodes.Getitem):
        return _name_of(node.node)
    if isinstance(node, nodes.Filter) and node.node is not None:
        return _name_of(node.node)
    if isinstance(node, nodes.Call):
        func = node.node
        if isinstance(func, nodes.Name) and func.name == "code":
            return "command"
        if isinstance(func, nodes.Name) and func.name in {"_", "gettext"}:
            return "text"
        for arg in node.args:
            found = _name_of(arg)
            if found:
                return found
        return None
    if isinstance(node, nodes.Concat | nodes.BinExpr):
        for child in node.iter_child_nodes():
            if not isinstance(child, nodes.Const):
                return _name_of(child)
    if isinstance(node, nodes.CondExpr):
        return _name_of(node.expr1)
    return None


def port_template(name: str, templates: Path = TEMPLATES) -> Ported:
    sources = {
        lang: (templates / lang / f"{name}.j2").read_text(encoding="utf-8")
        for lang in (SOURCE, *TARGETS)
    }
    return _Porter(name, sources).port()


def catalog_path(lang: str, locale_dir: Path = LOCALE) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_catalog(lang: str, locale_dir: Path = LOCALE) -> Catalog:
    path = catalog_path(lang, locale_dir)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="Brygada", fuzzy=False)
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def save_catalog(catalog: Catalog, lang: str, locale_dir: Path = LOCALE) -> None:
    path = catalog_path(lang, locale_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)


def merge(
    entries: Iterable[tuple[str | None, str, dict[str, str], str]], locale_dir: Path = LOCALE
) -> None:
    """Write (context, msgid, {lang: text}, where) into the pl/ru catalogs."""
    entries = list(entries)
    for lang in TARGETS:
        catalog = load_catalog(lang, locale_dir)
        for context, msgid, translations, where in entries:
            message = catalog.get(msgid, context=context)
            if message is None:
                catalog.add(msgid, translations[lang], locations=[(where, 0)], context=context)
            else:
                message.string = translations[lang]
                message.flags.discard("fuzzy")
        save_catalog(catalog, lang, locale_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="template names (no .j2)")
    parser.add_argument("--all", action="store_true", help="every template in templates/en")
    parser.add_argument("--keep", action="store_true", help="keep the three old copies")
    args = parser.parse_args(argv)
    names = args.names or []
    if args.all:
        names = sorted(p.stem for p in (TEMPLATES / SOURCE).glob("*.j2"))
    entries: list[tuple[str | None, str, dict[str, str], str]] = []
    failed = 0
    for name in names:
        try:
            ported = port_template(name)
        except PortError as exc:
            print(f"not ported: {exc}", file=sys.stderr)  # noqa: T201
            failed += 1
            continue
        (TEMPLATES / f"{name}.j2").write_text(ported.text, encoding="utf-8")
        where = f"handlers/templates/{name}.j2"
        entries += [(None, msgid, tr, where) for msgid, tr in ported.messages.items()]
        if not args.keep:
            for lang in (SOURCE, *TARGETS):
                (TEMPLATES / lang / f"{name}.j2").unlink()
    merge(entries)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Parse a lead out of one chat message: name, phone, email, company and comment.

Any order, English, Polish or Russian::

    Jan Kowalski, ACME sp. z o.o., +48 600 100 200, jan@acme.pl, wants a quote
    Иван Петров из ООО «Ромашка» 8 916 123-45-67 — перезвонить после обеда
    name: Anna Nowak; firma: Budimex; tel 601-234-567 // oferta na okna

What is recognised, in order: the ``//`` comment tail; the budget (``budget 12 000
PLN``, ``budżet 12000 zł``, ``бюджет 12 000 ₽``: the deal's amount later); labelled parts
(``name:``, ``tel:``, ``firma:``, ``компания:``...); the email; the phone (valid for
the company's region, else anything that looks like one, kept as typed so the user
is told it is invalid); the company (legal forms like "sp. z o.o.", "LLC", "ООО",
quoted names, "from X" / "z firmy X" / "из X"); the name (the leading capitalised
words of a part); everything left is the comment. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import phonenumbers

from domain.errors import InvalidInput
from domain.money import read_money


@dataclass(frozen=True)
class LeadDraft:
    name: str | None = None
    phone: str | None = None  # E.164 when valid for the region, else as typed
    email: str | None = None
    company: str | None = None
    comment: str | None = None
    amount: Decimal | None = None  # the budget, when one is written
    currency: str | None = None  # None: the company's default

    @property
    def empty(self) -> bool:
        return not any((self.name, self.phone, self.email, self.company, self.comment))


_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("name", "imię", "imie", "imię i nazwisko", "имя", "фио", "контакт", "contact"),
    "phone": ("phone", "tel", "tel.", "telefon", "mobile", "mob", "тел", "тел.", "телефон"),
    "email": ("email", "e-mail", "mail", "почта", "эл. почта"),
    "company": ("company", "firma", "company name", "компания", "организация", "org"),
    "comment": ("comment", "note", "notes", "komentarz", "uwagi", "notatka", "комментарий",
                "примечание", "заметка"),
}  # fmt: skip
# "budget 12 000 PLN", "budżet: $12,000", "бюджет 12 000 ₽" (a keyword, then the amount).
_BUDGET = re.compile(
    r"(?<!\w)(?:budget|budżet|budzet|бюджет|kwota|сумма|amount)\s*[:=]?\s*"
    r"((?:[$€£₽]\s*)?(?:\d{1,3}(?:[ \u00a0.,]\d{3})+|\d+)(?:[.,]\d{1,2})?"
    r"(?:\s*(?:[A-Za-z]{3}(?![A-Za-z])|zł|zl(?![a-z])|złotych|руб\.?|рублей|р\.|[$€£₽]))?)",
    re.IGNORECASE,
)
_LABEL_OF = {alias: key for key, aliases in _LABELS.items() for alias in aliases}
_LABEL_RE = re.compile(
    r"^\s*("
    + "|".join(sorted((re.escape(a) for a in _LABEL_OF), key=len, reverse=True))
    + r")\s*[:=]\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}", re.UNICODE)
_PHONE_LIKE = re.compile(r"(?<![\w.])(?:\+|00)?\d[\d\s().-]{5,}\d(?![\w])")
_SEPARATORS = re.compile(r"\s*(?:[,;\n|]|\s[—–-]\s)\s*")
# Leftover words that only introduced a value we took out.
_NOISE = re.compile(
    r"(?<!\w)(?:tel\.?|phone|telefon|mob\.?|mobile|e-?mail|mail|тел\.?|телефон|почта|"
    r"number|numer|номер|at|pod|по)(?:\s*[:.])?(?!\w)",
    re.IGNORECASE,
)
_LEGAL_AFTER = (
    r"sp\.\s*z\s*o\.\s*o\.?|sp\.\s*k\.?|sp\.\s*j\.?|s\.\s*a\.|s\.c\.|llc|ltd\.?|inc\.?|gmbh|"
    r"corp\.?|plc|co\.|limited"
)
_LEGAL_BEFORE = r"ооо|оао|зао|пао|ао|ип|нко|ooo|zao|oao"
_QUOTED = r"«[^»]{1,80}»|\"[^\"]{1,80}\"|„[^”\"]{1,80}[”\"]"
_COMPANY_WORD = r"[A-ZА-ЯЁŁŚŻŹĆŃÓ0-9][\w&'.+-]*"
_CONNECTOR = r"&|and|i|и"
_COMPANY_RES = (
    # ACME sp. z o.o. / Nowak i Syn S.A. / Blue Ocean LLC (capitals matter, the form's case not)
    re.compile(
        rf"((?:(?:{_COMPANY_WORD}|{_CONNECTOR})\s+){{0,3}}{_COMPANY_WORD},?\s+"
        rf"(?i:{_LEGAL_AFTER}))(?!\w)"
    ),
    # ООО «Ромашка» / ИП Сидоров / ООО Вектор
    re.compile(rf"(?<!\w)((?i:{_LEGAL_BEFORE})\s+(?:{_QUOTED}|[\w-]+))"),
)
_COMPANY_INTRO = re.compile(
    r"(?<!\w)(?:from|of|at company|z firmy|firma|z|ze|из компании|из|компания|от)\s+"
    rf"({_QUOTED}|{_COMPANY_WORD}(?:\s+{_COMPANY_WORD}){{0,2}})",
)
_QUOTED_RE = re.compile(_QUOTED)
_PARENTHESISED = re.compile(rf"\(\s*({_COMPANY_WORD}(?:\s+{_COMPANY_WORD}){{0,3}})\s*\)")
_NAME_WORD = re.compile(r"^[A-ZА-ЯЁŁŚŻŹĆŃÓ][\w'’.-]*$")
_NAME_STOP = frozenset(
    {"wants", "needs", "asks", "chce", "prosi", "potrzebuje", "хочет", "просит", "нужно",
     "call", "zadzwonić", "zadzwonic", "позвонить", "перезвонить", "oddzwonić", "lead",
     "client", "klient", "клиент", "new", "nowy", "новый", "pan", "pani", "mr", "mrs", "ms"}
)  # fmt: skip


def parse_lead(text: str, region: str | None = None) -> LeadDraft:
    """Understand one message; unknown parts end up in the comment, nothing is dropped."""
    text = text.strip()
    fields: dict[str, str] = {}
    comment_parts: list[str] = []

    body, sep, tail = text.partition("//")
    if sep and tail.strip():
        comment_parts.append(tail.strip())
    amount, currency, body = _budget(body)

    rest: list[str] = []
    for part in _split(body):
        m = _LABEL_RE.match(part)
        if m and m.group(2).strip():
            key = _LABEL_OF[m.group(1).lower()]
            if key == "comment":
                comment_parts.insert(0, m.group(2).strip())
            elif key not in fields:
                fields[key] = m.group(2).strip()
            else:
                rest.append(m.group(2).strip())
        else:
            rest.append(part)
    remaining = " , ".join(rest)

    if "email" not in fields:
        m_email = _EMAIL_RE.search(remaining)
        if m_email:
            fields["email"] = m_email.group(0)
            remaining = _cut(remaining, m_email.start(), m_email.end())
    if "phone" in fields:
        fields["phone"] = _phone(fields["phone"], region) or fields["phone"]
    else:
        found = _find_phone(remaining, region)
        if found:
            value, start, end = found
            fields["phone"] = value
            remaining = _cut(remaining, start, end)
    if "company" not in fields:
        found_company = _find_company(remaining)
        if found_company:
            value, start, end = found_company
            fields["company"] = value
            remaining = _cut(remaining, start, end)

    parts = [p for p in (_tidy(p) for p in _split(remaining)) if p]
    if "name" not in fields:
        name, parts = _take_name(parts)
        if name:
            fields["name"] = name
    comment_parts[:0] = parts
    comment = "; ".join(c for c in comment_parts if c) or None
    return LeadDraft(
        name=_clean_value(fields.get("name")),
        phone=fields.get("phone"),
        email=_clean_value(fields.get("email")),
        company=_strip_quotes(_clean_value(fields.get("company"))),
        comment=comment,
        amount=amount,
        currency=currency,
    )


def _budget(text: str) -> tuple[Decimal | None, str | None, str]:
    """The budget and the text without it; a budget that does not read as money (an
    unknown currency) stays in the text, so it reaches the comment."""
    match = _BUDGET.search(text)
    if match is None:
        return None, None, text
    try:
        amount, currency = read_money(match.group(1))
    except InvalidInput:
        return None, None, text
    rest = f"{text[: match.start()]} , {text[match.end() :]}"
    return amount, (None if currency == "XXX" else currency), rest


def _split(text: str) -> list[str]:
    return [p.strip() for p in _SEPARATORS.split(text) if p and p.strip()]


def _cut(text: str, start: int, end: int) -> str:
    return f"{text[:start]} , {text[end:]}"


def _tidy(part: str) -> str:
    part = _NOISE.sub(" ", part)
    part = re.sub(r"\s+", " ", part).strip(" ,;:.-—–()")
    return part


def _clean_value(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split()).strip(" ,;")
    return value or None


def _strip_quotes(value: str | None) -> str | None:
    if value and _QUOTED_RE.fullmatch(value):
        return value[1:-1].strip() or None
    return value


def _phone(raw: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _find_phone(text: str, region: str | None) -> tuple[str, int, int] | None:
    for match in phonenumbers.PhoneNumberMatcher(text, region or "ZZ"):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        return e164, match.start, match.end
    for candidate in _PHONE_LIKE.finditer(text):
        digits = re.sub(r"\D", "", candidate.group(0))
        if 7 <= len(digits) <= 15 and not re.fullmatch(
            r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}", candidate.group(0).strip()
        ):
            return candidate.group(0).strip(), candidate.start(), candidate.end()
    return None


def _find_company(text: str) -> tuple[str, int, int] | None:
    for pattern in _COMPANY_RES:
        m = pattern.search(text)
        if m:
            return m.group(1).strip(" ,"), m.start(1), m.end(1)
    m = _COMPANY_INTRO.search(text)
    if m:
        return m.group(1).strip(" ,"), m.start(), m.end()
    m = _QUOTED_RE.search(text)
    if m:
        return m.group(0), m.start(), m.end()
    m = _PARENTHESISED.search(text)
    if m:
        return m.group(1).strip(), m.start(), m.end()
    return None


def _is_name_word(word: str) -> bool:
    return bool(_NAME_WORD.match(word)) and word.lower() not in _NAME_STOP


def _take_name(parts: list[str]) -> tuple[str | None, list[str]]:
    """A part that is nothing but one to four capitalised words; else the leading
    capitalised words of the first part that starts with some (the rest of that part
    stays for the comment)."""
    for index, part in enumerate(parts):
        words = part.split()
        if 1 <= len(words) <= 4 and all(_is_name_word(w) for w in words):
            return " ".join(words).strip(" .,"), parts[:index] + parts[index + 1 :]
    for index, part in enumerate(parts):
        words = part.split()
        taken: list[str] = []
        for word in words:
            if len(taken) == 4 or not _is_name_word(word):
                break
            taken.append(word)
        if taken:
            rest = " ".join(words[len(taken) :]).strip()
            remaining = parts[:index] + ([rest] if rest else []) + parts[index + 1 :]
            return " ".join(taken).strip(" .,"), remaining
    return None, parts

"""The quick-capture case table: real-looking messages and what parse_task must make of them.

Each case lists only the fields that differ from an empty draft (priority "medium", kind
"regular", no deadline, no tags...); the test checks that every other field has its
default. Deadlines are written as local wall time in the case's zone.

Calendar used by the default ``now`` (Wednesday 2026-11-25 10:30, Europe/Warsaw):

    Nov 2026: Wed 25 (today)  Thu 26  Fri 27  Sat 28  Sun 29  Mon 30
    Dec 2026: Tue 1  Wed 2  Thu 3  Fri 4  Sat 5 ... Wed 9 ... Fri 25
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

WARSAW = "Europe/Warsaw"
MOSCOW = "Europe/Moscow"
NEW_YORK = "America/New_York"

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=ZoneInfo(WARSAW))  # Wednesday morning
EVENING = datetime(2026, 11, 25, 20, 15, tzinfo=ZoneInfo(WARSAW))  # after the workday
LATE = datetime(2026, 11, 25, 23, 40, tzinfo=ZoneInfo(WARSAW))  # 20 minutes to midnight
MSK_NOON = datetime(2026, 11, 25, 12, 30, tzinfo=ZoneInfo(MOSCOW))
MSK_LATE = datetime(2026, 11, 25, 23, 55, tzinfo=ZoneInfo(MOSCOW))
UTC_LATE = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # already 01:30 on the 26th in Moscow

PROJECTS = ("Website", "Mobile App", "Sklep", "Склад", "CRM")
MEMBERS = ("ivan", "Anna", "marek", "olga", "john_doe", "kasia.nowak", "dmitry")


@dataclass(frozen=True)
class Case:
    lang: str  # the language group of the message (for ids and the per-language count)
    text: str
    expect: dict[str, Any]
    now: datetime = NOW
    tz: str = WARSAW
    hint: str | None = None  # passed as parse_task(lang=...)
    members: tuple[str, ...] = MEMBERS
    workday_end: time = time(18, 0)
    projects: tuple[str, ...] = field(default=PROJECTS)


def _case(lang: str) -> Any:
    def make(
        text: str,
        *,
        now: datetime = NOW,
        tz: str = WARSAW,
        hint: str | None = None,
        members: tuple[str, ...] = MEMBERS,
        workday_end: time = time(18, 0),
        **expect: Any,
    ) -> Case:
        return Case(lang, text, expect, now, tz, hint, members, workday_end)

    return make


en = _case("en")
pl = _case("pl")
ru = _case("ru")

ENGLISH = [
    # relative days, weekdays, "next week"
    en("Call Ivan tomorrow", title="Call Ivan", deadline="2026-11-26 18:00"),
    en("Call Ivan on Friday", title="Call Ivan", deadline="2026-11-27 18:00"),
    en("Send the report today", title="Send the report", deadline="2026-11-25 18:00"),
    en(
        "Prepare slides for the day after tomorrow",
        title="Prepare slides",
        deadline="2026-11-27 18:00",
    ),
    en("Meeting notes on Wednesday", title="Meeting notes", deadline="2026-11-25 18:00"),
    en("Team retro next Friday", title="Team retro", deadline="2026-12-04 18:00"),
    en("Call supplier on Mon", title="Call supplier", deadline="2026-11-30 18:00"),
    en("Water plants on sat", title="Water plants", deadline="2026-11-28 18:00"),
    en("Buy sun cream", title="Buy sun cream"),
    en("Book flights next week", title="Book flights", deadline="2026-11-30 18:00"),
    en("Due Friday: final designs", title="final designs", deadline="2026-11-27 18:00"),
    en("Invoice Globex by tomorrow", title="Invoice Globex", deadline="2026-11-26 18:00"),
    en("Tomorrow: call the accountant", title="call the accountant", deadline="2026-11-26 18:00"),
    # "in N ..."
    en(
        "Renew SSL certificate in 3 days",
        title="Renew SSL certificate",
        deadline="2026-11-28 18:00",
    ),
    en("Plan Q1 roadmap in 2 weeks", title="Plan Q1 roadmap", deadline="2026-12-09 18:00"),
    en("Plan offsite in a month", title="Plan offsite", deadline="2026-12-25 18:00"),
    en(
        "Order monitors in an hour",
        title="Order monitors",
        deadline="2026-11-25 11:30",
        deadline_explicit_time=True,
    ),
    en(
        "Restart staging in 30 minutes",
        title="Restart staging",
        deadline="2026-11-25 11:00",
        deadline_explicit_time=True,
    ),
    en(
        "Check alerts within 2 hours",
        title="Check alerts",
        deadline="2026-11-25 12:30",
        deadline_explicit_time=True,
    ),
    # end of day / week / month
    en("Finish the draft by end of day", title="Finish the draft", deadline="2026-11-25 18:00"),
    en("Submit expenses EOD", title="Submit expenses", deadline="2026-11-25 18:00"),
    en(
        "Close the sprint by the end of the week",
        title="Close the sprint",
        deadline="2026-11-27 18:00",
    ),
    en("Clean the backlog this week", title="Clean the backlog", deadline="2026-11-27 18:00"),
    en(
        "General: close all November invoices by end of month",
        title="General: close all November invoices",
        kind="general",
        deadline="2026-11-30 18:00",
    ),
    # numeric dates and month names
    en("Invoice ACME on 28.11", title="Invoice ACME", deadline="2026-11-28 18:00"),
    en("Pay rent 01.12.2026", title="Pay rent", deadline="2026-12-01 18:00"),
    en("Renew domain 28/11", title="Renew domain", deadline="2026-11-28 18:00"),
    en("Renew insurance by 03.04", title="Renew insurance", deadline="2027-04-03 18:00"),
    en("Prepare budget 12/25", title="Prepare budget", deadline="2026-12-25 18:00"),
    en("Team dinner December 5", title="Team dinner", deadline="2026-12-05 18:00"),
    en("Send card 5 December", title="Send card", deadline="2026-12-05 18:00"),
    en("Tax filing on the 5th of December", title="Tax filing", deadline="2026-12-05 18:00"),
    en("Board meeting Jan 14", title="Board meeting", deadline="2027-01-14 18:00"),
    # times
    en(
        "Review PR #frontend @anna at 15:00",
        title="Review PR",
        tags=("frontend",),
        assignees=("Anna",),
        deadline="2026-11-25 15:00",
        deadline_explicit_time=True,
    ),
    en(
        "Stand-up notes at 9:00",
        title="Stand-up notes",
        deadline="2026-11-26 09:00",
        deadline_explicit_time=True,
    ),
    en(
        "Call the bank at 9am",
        title="Call the bank",
        deadline="2026-11-26 09:00",
        deadline_explicit_time=True,
    ),
    en(
        "Pick up parcel at 5 pm",
        title="Pick up parcel",
        deadline="2026-11-25 17:00",
        deadline_explicit_time=True,
    ),
    en(
        "Finish report until 4:30pm",
        title="Finish report",
        deadline="2026-11-25 16:30",
        deadline_explicit_time=True,
    ),
    en(
        "Sync with @Ivan at noon",
        title="Sync with",
        assignees=("ivan",),
        deadline="2026-11-25 12:00",
        deadline_explicit_time=True,
    ),
    en(
        "Ship release 2026-12-01 10:00",
        title="Ship release",
        deadline="2026-12-01 10:00",
        deadline_explicit_time=True,
    ),
    en(
        "Quarterly review Dec 5 at 5 pm",
        title="Quarterly review",
        deadline="2026-12-05 17:00",
        deadline_explicit_time=True,
    ),
    en(
        "Send minutes (tomorrow, 9:00)",
        title="Send minutes",
        deadline="2026-11-26 09:00",
        deadline_explicit_time=True,
    ),
    en(
        "Order pizza at 12:30 #team !l",
        title="Order pizza",
        tags=("team",),
        priority="low",
        deadline="2026-11-25 12:30",
        deadline_explicit_time=True,
    ),
    # punctuation left by a removed date
    en(
        "Call Ivan, tomorrow, about the offer",
        title="Call Ivan, about the offer",
        deadline="2026-11-26 18:00",
    ),
    en("Call Ivan, tomorrow.", title="Call Ivan.", deadline="2026-11-26 18:00"),
    # priorities, tags, people, planned time
    en("Update docs ~30m", title="Update docs", planned_minutes=30),
    en(
        "Refactor billing ~2h !low #tech-debt",
        title="Refactor billing",
        planned_minutes=120,
        priority="low",
        tags=("tech-debt",),
    ),
    en("Write tests ~1h30m", title="Write tests", planned_minutes=90),
    en("Migrate DB ~1.5h", title="Migrate DB", planned_minutes=90),
    en("Quick call ~45min", title="Quick call", planned_minutes=45),
    en("Code review ~1h 15m", title="Code review", planned_minutes=75),
    en("Call 30.11. about the lease", title="Call about the lease", deadline="2026-11-30 18:00"),
    en(
        "Demo prep ~90 min tomorrow at 14:00",
        title="Demo prep",
        planned_minutes=90,
        deadline="2026-11-26 14:00",
        deadline_explicit_time=True,
    ),
    en(
        "Fix login bug !! @ivan @olga",
        title="Fix login bug",
        priority="high",
        assignees=("ivan", "olga"),
    ),
    en("Clean up Jira board !medium", title="Clean up Jira board"),
    en("Archive old tickets !3", title="Archive old tickets", priority="low"),
    en("Review contract !1", title="Review contract", priority="high"),
    en(
        "Write blog post #marketing #Content",
        title="Write blog post",
        tags=("marketing", "content"),
    ),
    en("Fix issue #42 in checkout", title="Fix issue #42 in checkout"),
    en("Email ivan@example.com the invoice", title="Email ivan@example.com the invoice"),
    en(
        "Email @john_doe about the contract by tomorrow",
        title="Email about the contract",
        assignees=("john_doe",),
        deadline="2026-11-26 18:00",
    ),
    en(
        "Ask @unknown_guy to review the copy",
        title="Ask @unknown_guy to review the copy",
        unknown_handles=("unknown_guy",),
    ),
    en(
        "Ask @unknown_guy to review the copy",
        members=(),
        title="Ask to review the copy",
        assignees=("unknown_guy",),
    ),
    en(
        "Prepare Q4 report by 5 December 2026 ~3h @olga",
        title="Prepare Q4 report",
        deadline="2026-12-05 18:00",
        planned_minutes=180,
        assignees=("olga",),
    ),
    # projects and kinds
    en(
        "Website: update pricing page by Friday !h",
        title="Website: update pricing page",
        project="Website",
        deadline="2026-11-27 18:00",
        priority="high",
    ),
    en(
        "Mobile App: fix crash on Android 14 !high",
        title="Mobile App: fix crash on Android 14",
        project="Mobile App",
        priority="high",
    ),
    en(
        "mobile app: push notifications #ios",
        title="mobile app: push notifications",
        project="Mobile App",
        tags=("ios",),
    ),
    en("Marketing: launch newsletter", title="Marketing: launch newsletter"),
    en(
        "Backlog: migrate to Postgres 17",
        title="Backlog: migrate to Postgres 17",
        kind="backlog",
        deadline="2027-11-25 10:30",
    ),
    en(
        "STEC: explore new CRM vendors",
        title="STEC: explore new CRM vendors",
        kind="backlog",
        deadline="2027-11-25 10:30",
    ),
    en(
        "Backlog: Website: redesign onboarding by 15.01.2027",
        title="Backlog: Website: redesign onboarding",
        kind="backlog",
        project="Website",
        deadline="2027-01-15 18:00",
    ),
    en("General-2: onboarding revamp", title="General-2: onboarding revamp", kind="general"),
    en(
        "Control: check weekly reports every Monday",
        title="Control: check weekly reports every Monday",
        kind="control",
    ),
    # descriptions
    en(
        "Call the client // ask about the contract renewal",
        title="Call the client",
        description="ask about the contract renewal",
    ),
    en(
        "Check https://example.com/pricing // compare with competitors",
        title="Check https://example.com/pricing",
        description="compare with competitors",
    ),
    en(
        "Prepare offer tomorrow\nInclude discounts for annual plans #sales !h",
        title="Prepare offer",
        deadline="2026-11-26 18:00",
        description="Include discounts for annual plans #sales !h",
    ),
    en("Renew passport", title="Renew passport"),
    # after hours, near midnight, other zones
    en(
        "Send summary EOD",
        now=EVENING,
        title="Send summary",
        deadline="2026-11-25 23:59",
    ),
    en("Call mom tomorrow", now=EVENING, title="Call mom", deadline="2026-11-26 18:00"),
    en(
        "Deploy at 23:30",
        now=LATE,
        title="Deploy",
        deadline="2026-11-26 23:30",
        deadline_explicit_time=True,
    ),
    en(
        "Deploy at 23:50",
        now=LATE,
        title="Deploy",
        deadline="2026-11-25 23:50",
        deadline_explicit_time=True,
    ),
    en(
        "Call Moscow office tomorrow at 9",
        now=UTC_LATE,
        tz=MOSCOW,
        title="Call Moscow office",
        deadline="2026-11-27 09:00",
        deadline_explicit_time=True,
    ),
    en(
        "Call NY team at 9am",
        tz=NEW_YORK,
        title="Call NY team",
        deadline="2026-11-25 09:00",
        deadline_explicit_time=True,
    ),
    en(
        "Wrap up the release notes today",
        workday_end=time(17, 0),
        title="Wrap up the release notes",
        deadline="2026-11-25 17:00",
    ),
    en("Prepare budget 12/25", hint="pl", title="Prepare budget 12/25"),
    # bare small hours are afternoon; numbers that only look like dates stay text
    en(
        "Call the supplier at 5",
        title="Call the supplier",
        deadline="2026-11-25 17:00",
        deadline_explicit_time=True,
    ),
    en(
        "Gym at 5 am",
        title="Gym",
        deadline="2026-11-26 05:00",
        deadline_explicit_time=True,
    ),
    en("Release version 1.5", title="Release version 1.5"),
    en("Repeat the test 3 times", title="Repeat the test 3 times"),
    # --- issue 16: trusted dates, priority words, times of day by name ---------------
    en(
        "Call Ivan tomorrow morning",
        title="Call Ivan",
        deadline="2026-11-26 09:00",
        deadline_explicit_time=True,
    ),
    en(
        "Send the deck this evening",
        title="Send the deck",
        deadline="2026-11-25 18:00",
        deadline_explicit_time=True,
    ),
    en(
        "Demo friday afternoon",
        title="Demo",
        deadline="2026-11-27 14:00",
        deadline_explicit_time=True,
    ),
    en("Prepare morning report", title="Prepare morning report"),
    en("Send invoice yesterday", title="Send invoice", deadline="2026-11-24 18:00"),
    en("Pay rent 01.11", title="Pay rent", deadline="2026-11-01 18:00"),
    en("Fix prod !urgent", title="Fix prod", priority="high"),
    en("Fix prod !asap", title="Fix prod", priority="high"),
    en("Tidy desk !later", title="Tidy desk", priority="low"),
    en("Fix !foo now", title="Fix !foo now", unknown_priorities=("!foo",)),
]

POLISH = [
    pl("Zadzwoń do klienta jutro", title="Zadzwoń do klienta", deadline="2026-11-26 18:00"),
    pl("Wyślij fakturę dziś", title="Wyślij fakturę", deadline="2026-11-25 18:00"),
    pl(
        "Przygotuj prezentację na dzisiaj",
        title="Przygotuj prezentację",
        deadline="2026-11-25 18:00",
    ),
    pl(
        "Spotkanie z zarządem pojutrze o 10:00",
        title="Spotkanie z zarządem",
        deadline="2026-11-27 10:00",
        deadline_explicit_time=True,
    ),
    pl("Zadzwoń do Marka w piątek", title="Zadzwoń do Marka", deadline="2026-11-27 18:00"),
    pl("Odbierz paczkę we wtorek", title="Odbierz paczkę", deadline="2026-12-01 18:00"),
    pl("Sprawdź raporty w środę", title="Sprawdź raporty", deadline="2026-11-25 18:00"),
    pl(
        "Zamów catering w czwartek o 12:00",
        title="Zamów catering",
        deadline="2026-11-26 12:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Przegląd umowy w poniedziałek !wysoki",
        title="Przegląd umowy",
        deadline="2026-11-30 18:00",
        priority="high",
    ),
    pl("Raport do końca tygodnia", title="Raport", deadline="2026-11-27 18:00"),
    pl("Odpowiedz na maile do końca dnia", title="Odpowiedz na maile", deadline="2026-11-25 18:00"),
    pl("Zapłać ZUS do piątku", title="Zapłać ZUS", deadline="2026-11-27 18:00"),
    pl("Wyślij ofertę do jutra", title="Wyślij ofertę", deadline="2026-11-26 18:00"),
    pl("Zrób backup za 3 dni", title="Zrób backup", deadline="2026-11-28 18:00"),
    pl("Odnów licencję za tydzień", title="Odnów licencję", deadline="2026-12-02 18:00"),
    pl(
        "Audyt bezpieczeństwa za 2 tygodnie",
        title="Audyt bezpieczeństwa",
        deadline="2026-12-09 18:00",
    ),
    pl(
        "Przypomnij o spotkaniu za godzinę",
        title="Przypomnij o spotkaniu",
        deadline="2026-11-25 11:30",
        deadline_explicit_time=True,
    ),
    pl(
        "Zadzwoń do dostawcy za 30 minut",
        title="Zadzwoń do dostawcy",
        deadline="2026-11-25 11:00",
        deadline_explicit_time=True,
    ),
    pl("Plan sprzedaży w przyszłym tygodniu", title="Plan sprzedaży", deadline="2026-11-30 18:00"),
    pl("Szkolenie BHP w przyszły piątek", title="Szkolenie BHP", deadline="2026-12-04 18:00"),
    pl("Faktura 28.11", title="Faktura", deadline="2026-11-28 18:00"),
    pl("Przelew do 01.12", title="Przelew", deadline="2026-12-01 18:00"),
    pl(
        "Termin oddania pracy 15.01.2027", title="Termin oddania pracy", deadline="2027-01-15 18:00"
    ),
    pl("Wysłać paczkę 5 grudnia", title="Wysłać paczkę", deadline="2026-12-05 18:00"),
    pl("Urodziny Ani 12 stycznia", title="Urodziny Ani", deadline="2027-01-12 18:00"),
    pl(
        "Spotkanie o 9",
        title="Spotkanie",
        deadline="2026-11-26 09:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Spotkanie o 17:30",
        title="Spotkanie",
        deadline="2026-11-25 17:30",
        deadline_explicit_time=True,
    ),
    pl(
        "Telefon o godz. 14",
        title="Telefon",
        deadline="2026-11-25 14:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Jutro o 9 stand-up",
        title="stand-up",
        deadline="2026-11-26 09:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Telefon do banku o 7 wieczorem",
        title="Telefon do banku",
        deadline="2026-11-25 19:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Odbierz klucze w południe",
        title="Odbierz klucze",
        deadline="2026-11-25 12:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Spotkanie w przyszłą środę o 11:00",
        title="Spotkanie",
        deadline="2026-12-02 11:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Webinar 3 grudnia o 18:00 #marketing",
        title="Webinar",
        tags=("marketing",),
        deadline="2026-12-03 18:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Zadzwoń do Marka za 2 dni o 10:00",
        title="Zadzwoń do Marka",
        deadline="2026-11-27 10:00",
        deadline_explicit_time=True,
    ),
    pl("Przegląd samochodu 2026-12-10", title="Przegląd samochodu", deadline="2026-12-10 18:00"),
    pl("Zamknij miesiąc do końca miesiąca", title="Zamknij miesiąc", deadline="2026-11-30 18:00"),
    pl("Inwentaryzacja w tym tygodniu", title="Inwentaryzacja", deadline="2026-11-27 18:00"),
    pl("Wyślij PIT-y najpóźniej 28.11", title="Wyślij PIT-y", deadline="2026-11-28 18:00"),
    pl("Przygotować ofertę na jutro", title="Przygotować ofertę", deadline="2026-11-26 18:00"),
    pl("Odpisz klientowi na poniedziałek", title="Odpisz klientowi", deadline="2026-11-30 18:00"),
    pl("Umów serwis do końca dnia roboczego", title="Umów serwis", deadline="2026-11-25 18:00"),
    pl("Spotkanie w piątek 4.12", title="Spotkanie", deadline="2026-12-04 18:00"),
    # typed without Polish letters
    pl("Zadzwon do klienta w piatek", title="Zadzwon do klienta", deadline="2026-11-27 18:00"),
    pl("Raport do konca tygodnia", title="Raport", deadline="2026-11-27 18:00"),
    # priorities, tags, people, planned time
    pl(
        "Sklep: dodać nowe produkty !niski #ecommerce",
        title="Sklep: dodać nowe produkty",
        project="Sklep",
        priority="low",
        tags=("ecommerce",),
    ),
    pl(
        "Przygotuj umowę @marek ~2godz",
        title="Przygotuj umowę",
        assignees=("marek",),
        planned_minutes=120,
    ),
    pl("Napisz specyfikację ~1,5h", title="Napisz specyfikację", planned_minutes=90),
    pl("Zamów tonery ~15min !średni", title="Zamów tonery", planned_minutes=15),
    pl(
        "Wypłaty do 10.12 !1",
        title="Wypłaty",
        priority="high",
        deadline="2026-12-10 18:00",
    ),
    pl(
        "Zrób przelew dzisiaj !!",
        title="Zrób przelew",
        priority="high",
        deadline="2026-11-25 18:00",
    ),
    pl(
        "@kasia.nowak zadzwoń do klienta w sprawie urlopu",
        title="zadzwoń do klienta w sprawie urlopu",
        assignees=("kasia.nowak",),
    ),
    pl(
        "Zapytaj @nieznany o fakturę",
        title="Zapytaj @nieznany o fakturę",
        unknown_handles=("nieznany",),
    ),
    pl(
        "Zadzwoń do Olgi we wtorek o 8:15 @olga !h ~10m // numer w CRM",
        title="Zadzwoń do Olgi",
        deadline="2026-12-01 08:15",
        deadline_explicit_time=True,
        assignees=("olga",),
        priority="high",
        planned_minutes=10,
        description="numer w CRM",
    ),
    # projects and kinds
    pl(
        "Ogólne: zwiększyć sprzedaż o 20%",
        title="Ogólne: zwiększyć sprzedaż o 20%",
        kind="general",
    ),
    pl("Ogólne-2: cyfryzacja procesów", title="Ogólne-2: cyfryzacja procesów", kind="general"),
    pl(
        "Kontrola: sprawdzić raporty kasowe co piątek",
        title="Kontrola: sprawdzić raporty kasowe co piątek",
        kind="control",
    ),
    pl(
        "Backlog: nowy moduł CRM",
        title="Backlog: nowy moduł CRM",
        kind="backlog",
        deadline="2027-11-25 10:30",
    ),
    pl(
        "sklep: Ogólne: podwoić ruch do końca miesiąca",
        title="sklep: Ogólne: podwoić ruch",
        project="Sklep",
        kind="general",
        deadline="2026-11-30 18:00",
    ),
    # descriptions
    pl(
        "Rozlicz delegację // paragon w załączniku",
        title="Rozlicz delegację",
        description="paragon w załączniku",
    ),
    pl(
        "Sprawdź https://sklep.pl/koszyk // błąd przy płatności",
        title="Sprawdź https://sklep.pl/koszyk",
        description="błąd przy płatności",
    ),
    pl(
        "Posprzątaj magazyn\nSzczegóły: regał B i C, jutro o 9",
        title="Posprzątaj magazyn",
        description="Szczegóły: regał B i C, jutro o 9",
    ),
    # after hours and mixed language
    pl(
        "Wyślij raport do końca dnia",
        now=EVENING,
        title="Wyślij raport",
        deadline="2026-11-25 23:59",
    ),
    pl(
        "Spotkanie o 8",
        now=EVENING,
        title="Spotkanie",
        deadline="2026-11-26 08:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Zadzwoń do hurtowni o 4",
        title="Zadzwoń do hurtowni",
        deadline="2026-11-25 16:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Spotkanie o 9.30 w piątek",
        title="Spotkanie",
        deadline="2026-11-27 09:30",
        deadline_explicit_time=True,
    ),
    pl("Dodaj 2.5 kg do zamówienia", title="Dodaj 2.5 kg do zamówienia"),
    pl(
        "Call Kasia jutro o 9",
        title="Call Kasia",
        deadline="2026-11-26 09:00",
        deadline_explicit_time=True,
    ),
    # --- issue 16 ------------------------------------------------------------------------
    pl(
        "Zadzwoń do Ivana jutro rano",
        title="Zadzwoń do Ivana",
        deadline="2026-11-26 09:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Wyślij raport wieczorem",
        title="Wyślij raport",
        deadline="2026-11-25 18:00",
        deadline_explicit_time=True,
    ),
    pl(
        "Spotkanie jutro po południu",
        title="Spotkanie",
        deadline="2026-11-26 14:00",
        deadline_explicit_time=True,
    ),
    pl("Faktura wczoraj", title="Faktura", deadline="2026-11-24 18:00"),
    pl("Przelew !pilne", title="Przelew", priority="high"),
    pl("Przelew !ważne", title="Przelew", priority="high"),
    pl("Przelew !wazne", title="Przelew", priority="high"),
    pl("Przelew !coś", title="Przelew !coś", unknown_priorities=("!coś",)),
]

RUSSIAN = [
    ru("Позвонить клиенту завтра", title="Позвонить клиенту", deadline="2026-11-26 18:00"),
    ru(
        "Завтра в 9 созвон с командой",
        title="созвон с командой",
        deadline="2026-11-26 09:00",
        deadline_explicit_time=True,
    ),
    ru("Отправить отчёт сегодня", title="Отправить отчёт", deadline="2026-11-25 18:00"),
    ru("Подготовить договор послезавтра", title="Подготовить договор", deadline="2026-11-27 18:00"),
    ru("Встреча в пятницу", title="Встреча", deadline="2026-11-27 18:00"),
    ru("Оплатить счёт во вторник", title="Оплатить счёт", deadline="2026-12-01 18:00"),
    ru("Проверить склад в среду", title="Проверить склад", deadline="2026-11-25 18:00"),
    ru(
        "Созвон в понедельник в 10:00",
        title="Созвон",
        deadline="2026-11-30 10:00",
        deadline_explicit_time=True,
    ),
    ru("Сдать отчёт до пятницы", title="Сдать отчёт", deadline="2026-11-27 18:00"),
    ru(
        "Подготовить презентацию к пятнице",
        title="Подготовить презентацию",
        deadline="2026-11-27 18:00",
    ),
    ru("Встреча в эту пятницу", title="Встреча", deadline="2026-11-27 18:00"),
    ru("Встреча в следующую пятницу", title="Встреча", deadline="2026-12-04 18:00"),
    ru("Заказать воду к понедельнику", title="Заказать воду", deadline="2026-11-30 18:00"),
    ru("Отправить договор на завтра", title="Отправить договор", deadline="2026-11-26 18:00"),
    ru("Закрыть задачи до конца недели", title="Закрыть задачи", deadline="2026-11-27 18:00"),
    ru("Ответить на письма до конца дня", title="Ответить на письма", deadline="2026-11-25 18:00"),
    ru("Подготовить отчёт к концу дня", title="Подготовить отчёт", deadline="2026-11-25 18:00"),
    ru("Сделать бэкап в конце недели", title="Сделать бэкап", deadline="2026-11-27 18:00"),
    ru("Отчёт на этой неделе", title="Отчёт", deadline="2026-11-27 18:00"),
    ru("Сверка до конца месяца", title="Сверка", deadline="2026-11-30 18:00"),
    ru("Планёрка на следующей неделе", title="Планёрка", deadline="2026-11-30 18:00"),
    ru("Сдать проект до следующей недели", title="Сдать проект", deadline="2026-11-30 18:00"),
    ru(
        "Провести инвентаризацию через 3 дня",
        title="Провести инвентаризацию",
        deadline="2026-11-28 18:00",
    ),
    ru(
        "Обновить сертификат через 2 недели",
        title="Обновить сертификат",
        deadline="2026-12-09 18:00",
    ),
    ru("Созвон через неделю", title="Созвон", deadline="2026-12-02 18:00"),
    ru(
        "Перезвонить через час",
        title="Перезвонить",
        deadline="2026-11-25 11:30",
        deadline_explicit_time=True,
    ),
    ru(
        "Проверить деплой через 30 минут",
        title="Проверить деплой",
        deadline="2026-11-25 11:00",
        deadline_explicit_time=True,
    ),
    ru(
        "Напомнить о встрече через 2 часа",
        title="Напомнить о встрече",
        deadline="2026-11-25 12:30",
        deadline_explicit_time=True,
    ),
    # dates
    ru("Отчёт к 5 декабря", title="Отчёт", deadline="2026-12-05 18:00"),
    ru("Оплатить аренду 01.12", title="Оплатить аренду", deadline="2026-12-01 18:00"),
    ru("Продлить домен 28.11.2026", title="Продлить домен", deadline="2026-11-28 18:00"),
    ru("Купить подарок 28/11", title="Купить подарок", deadline="2026-11-28 18:00"),
    ru("Продлить лицензию к 15 января", title="Продлить лицензию", deadline="2027-01-15 18:00"),
    ru(
        "Отгрузка 2026-12-03 в 14:00",
        title="Отгрузка",
        deadline="2026-12-03 14:00",
        deadline_explicit_time=True,
    ),
    ru(
        "Подписать акт 5 декабря в 11:00",
        title="Подписать акт",
        deadline="2026-12-05 11:00",
        deadline_explicit_time=True,
    ),
    # times
    ru(
        "Созвон в 17:30",
        title="Созвон",
        deadline="2026-11-25 17:30",
        deadline_explicit_time=True,
    ),
    ru(
        "Созвон в 9",
        title="Созвон",
        deadline="2026-11-26 09:00",
        deadline_explicit_time=True,
    ),
    ru(
        "Забрать документы в 3 дня",
        title="Забрать документы",
        deadline="2026-11-25 15:00",
        deadline_explicit_time=True,
    ),
    ru(
        "Позвонить маме в 7 вечера",
        title="Позвонить маме",
        deadline="2026-11-25 19:00",
        deadline_explicit_time=True,
    ),
    ru(
        "Встреча в 2 ночи",
        title="Встреча",
        deadline="2026-11-26 02:00",
        deadline_explicit_time=True,
    ),
    ru(
        "Позвонить в банк к 16:00",
        title="Позвонить в банк",
        deadline="2026-11-25 16:00",
        deadline_explicit_time=True,
    ),
    ru(
        "Созвон в полдень",
        title="Созвон",
        deadline="2026-11-25 12:00",
        deadline_explicit_time=True,
    ),
    ru(
        "Зайти в офис во вторник в 9 утра",
        title="Зайти в офис",
        deadline="2026-12-01 09:00",
        deadline_explicit_time=True,
    ),
    ru("Увеличить продажи в 2 раза", title="Увеличить продажи в 2 раза"),
    ru(
        "Созвон с подрядчиком в 4",
        title="Созвон с подрядчиком",
        deadline="2026-11-25 16:00",
        deadline_explicit_time=True,
    ),
    ru(
        "Планёрка в 10.30",
        title="Планёрка",
        deadline="2026-11-26 10:30",
        deadline_explicit_time=True,
    ),
    ru(
        "Выезд в 5 утра",
        title="Выезд",
        deadline="2026-11-26 05:00",
        deadline_explicit_time=True,
    ),
    # priorities, tags, people, planned time
    ru(
        "Склад: пересчитать остатки !высокий #склад",
        title="Склад: пересчитать остатки",
        project="Склад",
        priority="high",
        tags=("склад",),
    ),
    ru(
        "Подготовить КП @dmitry ~2ч",
        title="Подготовить КП",
        assignees=("dmitry",),
        planned_minutes=120,
    ),
    ru("Написать ТЗ ~1ч30м !средний", title="Написать ТЗ", planned_minutes=90),
    ru("Созвон ~30мин !низкий", title="Созвон", planned_minutes=30, priority="low"),
    ru(
        "@olga @ivan ответить поставщику до завтра",
        title="ответить поставщику",
        assignees=("olga", "ivan"),
        deadline="2026-11-26 18:00",
    ),
    ru(
        "Спросить @петров про отгрузку",
        title="Спросить @петров про отгрузку",
        unknown_handles=("петров",),
    ),
    ru(
        "Позвонить Ивану завтра в 10:30 @ivan !h #Звонки ~15м // номер в CRM",
        title="Позвонить Ивану",
        deadline="2026-11-26 10:30",
        deadline_explicit_time=True,
        assignees=("ivan",),
        priority="high",
        tags=("звонки",),
        planned_minutes=15,
        description="номер в CRM",
    ),
    # projects and kinds
    ru(
        "Общая: увеличить выручку на 15%",
        title="Общая: увеличить выручку на 15%",
        kind="general",
    ),
    ru(
        "Контроль: проверять отчёты каждую пятницу",
        title="Контроль: проверять отчёты каждую пятницу",
        kind="control",
    ),
    ru(
        "Бэклог: переписать модуль авторизации",
        title="Бэклог: переписать модуль авторизации",
        kind="backlog",
        deadline="2027-11-25 10:30",
    ),
    ru(
        "склад: Контроль: сверить остатки до пятницы",
        title="склад: Контроль: сверить остатки",
        project="Склад",
        kind="control",
        deadline="2026-11-27 18:00",
    ),
    # descriptions
    ru(
        "Проверить оплату // счёт № 145 от поставщика",
        title="Проверить оплату",
        description="счёт № 145 от поставщика",
    ),
    ru(
        "Проверить почту\nпотом ответить всем завтра",
        title="Проверить почту",
        description="потом ответить всем завтра",
    ),
    ru("Задача без срока", title="Задача без срока"),
    # other zones, near midnight
    ru(
        "Созвон в 12:00",
        now=MSK_NOON,
        tz=MOSCOW,
        title="Созвон",
        deadline="2026-11-26 12:00",
        deadline_explicit_time=True,
    ),
    ru("Позвонить завтра", now=MSK_NOON, tz=MOSCOW, title="Позвонить", deadline="2026-11-26 18:00"),
    ru(
        "Отправить отчёт сегодня",
        now=MSK_LATE,
        tz=MOSCOW,
        title="Отправить отчёт",
        deadline="2026-11-25 23:59",
    ),
    ru(
        "Созвон в 0:30",
        now=MSK_LATE,
        tz=MOSCOW,
        title="Созвон",
        deadline="2026-11-26 00:30",
        deadline_explicit_time=True,
    ),
    ru(
        "Созвон завтра в 9",
        now=UTC_LATE,
        tz=MOSCOW,
        title="Созвон",
        deadline="2026-11-27 09:00",
        deadline_explicit_time=True,
    ),
    # --- issue 16 ------------------------------------------------------------------------
    ru(
        "Позвонить завтра утром",
        title="Позвонить",
        deadline="2026-11-26 09:00",
        deadline_explicit_time=True,
    ),
    ru(
        "Отправить отчёт вечером",
        title="Отправить отчёт",
        deadline="2026-11-25 18:00",
        deadline_explicit_time=True,
    ),
    ru(
        "Созвон завтра днём",
        title="Созвон",
        deadline="2026-11-26 14:00",
        deadline_explicit_time=True,
    ),
    ru("Поздравить с днём рождения", title="Поздравить с днём рождения"),
    ru("Счёт вчера", title="Счёт", deadline="2026-11-24 18:00"),
    ru("Оплатить аренду 01.11", title="Оплатить аренду", deadline="2026-11-01 18:00"),
    ru("Починить сервер !срочно", title="Починить сервер", priority="high"),
    ru("Починить сервер !важно", title="Починить сервер", priority="high"),
    ru("Починить сервер !лол", title="Починить сервер !лол", unknown_priorities=("!лол",)),
]

CASES: list[Case] = [*ENGLISH, *POLISH, *RUSSIAN]

"""The remedy screener: given a client's situation, which remedies to look at, what each
requires and by when.

One general evaluator over the records' structured fields, with no code per jurisdiction.
What it knows is in the tables below (record kinds, offense categories, verdicts, reasons
and their wording, which input date feeds which `time_limit.runs_from`, how each remedy
type is screened). `rules()` exports them as JSON; the site writes them next to the data,
and the browser evaluator (docs/assets/screener.js) runs the same algorithm over the same
tables. Both run the cases in tests/fixtures/screener/vectors.json, so they cannot drift:
change the algorithm here, change it there, and add a case.

The verdict never overstates. Each condition gives a reason with an effect: `rules_out`
(the verdict becomes `not available`), `uncertain` (at most `possibly available`), `ok` or
`caution` (no effect). Anything unknown, in the data or in the input, is `uncertain`.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from . import DISCLAIMER

FEDERAL = "US"

LIKELY = "likely available"
POSSIBLY = "possibly available"
NOT_AVAILABLE = "not available"
VERDICTS = [LIKELY, POSSIBLY, NOT_AVAILABLE]  # best first
EFFECTS = {  # what a reason does to the verdict: the best verdict it leaves
    "ok": LIKELY,
    "caution": LIKELY,
    "uncertain": POSSIBLY,
    "rules_out": NOT_AVAILABLE,
}

# Kinds of record: the `record_relief` field that says whether the law covers them.
RECORD_KINDS: dict[str, dict[str, str]] = {
    "arrest": {"label": "arrest", "plural": "arrests", "covers": "covers_arrests"},
    "dismissed": {
        "label": "charge dismissed",
        "plural": "dismissed charges and other non-convictions",
        "covers": "covers_non_convictions",
    },
    "conviction": {"label": "conviction", "plural": "convictions", "covers": "covers_convictions"},
    "juvenile": {
        "label": "juvenile adjudication",
        "plural": "juvenile adjudications",
        "covers": "covers_juvenile_adjudications",
    },
}

# The screener's offense categories (`offense_categories` in schema/vocabulary.yaml).
OFFENSE_CATEGORIES: dict[str, str] = {
    "prostitution": "Prostitution and related offenses",
    "loitering": "Loitering",
    "drug_possession": "Drug possession",
    "theft": "Theft",
    "fraud": "Fraud",
    "weapons": "Weapons",
    "violent_felony": "Violent felony",
    "immigration": "Immigration-related",
    "other": "Other",
}

TRAFFICKING_KINDS: dict[str, str] = {
    "sex": "sex",
    "labor": "labor",
    "both": "sex and labor",
    "unknown": "unknown",
}

# `available` of the record (true / false / unknown) -> the reason that stops screening.
AVAILABILITY: dict[str, str | None] = {
    "true": None,
    "false": "no_law",
    "unknown": "law_undetermined",
}
# `covers_*` of `record_relief` for the client's kind of record.
COVERAGE: dict[str, str] = {
    "true": "record_kind_covered",
    "false": "record_kind_not_covered",
    "unknown": "record_kind_coverage_unknown",
}
# `record_relief.offense_categories[category]`; a category left out counts as unknown.
CATEGORY_TREATMENT: dict[str, str] = {
    "covered": "offense_covered",
    "some": "offense_partly_covered",
    "excluded": "offense_excluded",
    "unknown": "offense_coverage_unknown",
}
# `record_relief.time_limit.rule` -> reason; `fixed_period` is computed from the inputs.
TIME_LIMIT_RULES: dict[str, str | None] = {
    "none": "no_deadline",
    "fixed_period": None,
    "reasonable_time": "deadline_not_a_date",
    "due_diligence": "deadline_not_a_date",
    "other": "deadline_not_computable",
    "unknown": "deadline_unknown",
}
TIME_LIMIT_LABELS: dict[str, str] = {
    "none": "no deadline",
    "fixed_period": "a fixed period",
    "reasonable_time": "within a reasonable time",
    "due_diligence": "with due diligence",
    "other": "a rule described in words",
    "unknown": "unknown",
}
# `time_limit.runs_from` -> the input date it runs from. `age_18` is estimated from the
# offense date and the age at the offense (a window, since the birth date is not asked);
# events with no input (sentence completion, other) cannot be computed.
RUNS_FROM: dict[str, dict[str, str | None]] = {
    "conviction": {"input": "convicted", "label": "the conviction"},
    "sentence_completion": {"input": None, "label": "completion of the sentence"},
    "offense": {"input": "offense_date", "label": "the offense"},
    "exit_from_trafficking": {"input": "exited", "label": "leaving the trafficking situation"},
    "age_18": {"input": "age_18", "label": "the 18th birthday"},
    "other": {"input": None, "label": "an event described in words"},
}

# How each remedy type is screened, beyond `available`:
# - screen: `record_relief` (the structured record relief fields), `civil_action` (the
#   limitation period, from the exit date), `pending_charge` (a defense at trial), or
#   `words` (conditions in words only);
# - max_age_at_offense: an age limit implied by the type itself;
# - federal_only: a federal remedy of this type reaches federal offenses only, so it
#   does not apply to a state, DC or territory record;
# - in_words: eligibility is described in words only, so the verdict is at most possibly.
# A civil action's limitation period is counted from the exit date (the latest the claim can
# have arisen); once it has run, the verdict is `not available` only if the record codes no
# tolling and the client is known to have been an adult at the offense.
TYPE_RULES: dict[str, dict[str, Any]] = {
    "criminal_record_relief": {"screen": "record_relief", "federal_only": True, "in_words": False},
    "affirmative_defense": {"screen": "pending_charge", "federal_only": True, "in_words": True},
    "safe_harbor_minors": {"screen": "words", "max_age_at_offense": 17, "in_words": True},
    "civil_action": {"screen": "civil_action", "in_words": True},
}
DEFAULT_TYPE_RULE: dict[str, Any] = {"screen": "words", "in_words": True}
# Record kinds against which a defense at trial can still be raised (a charge may be open).
PENDING_KINDS = ["arrest"]

# Every reason: its effect on the verdict and its wording ({name} is filled in).
REASONS: dict[str, dict[str, str]] = {
    "federal_offenses_only": {
        "effect": "rules_out",
        "text": "Federal law: it reaches federal offenses only, not a record from {jurisdiction}.",
    },
    "no_law": {
        "effect": "rules_out",
        "text": "Researched: no such law was found (as of {last_verified}).",
    },
    "law_undetermined": {
        "effect": "uncertain",
        "text": "Research could not settle whether this law exists; read the record's notes.",
    },
    "record_kind_covered": {"effect": "ok", "text": "The law covers {record}."},
    "record_kind_not_covered": {"effect": "rules_out", "text": "The law does not cover {record}."},
    "record_kind_coverage_unknown": {
        "effect": "uncertain",
        "text": "The record does not settle whether the law covers {record}.",
    },
    "record_kind_not_given": {
        "effect": "uncertain",
        "text": "Kind of record not given: whether the law covers it is not checked.",
    },
    "offense_covered": {"effect": "ok", "text": "{offense}: covered."},
    "offense_partly_covered": {
        "effect": "uncertain",
        "text": "{offense}: only some offenses of this category qualify (see offenses covered).",
    },
    "offense_excluded": {"effect": "rules_out", "text": "{offense}: excluded."},
    "offense_coverage_unknown": {
        "effect": "uncertain",
        "text": "{offense}: the record does not settle whether this category qualifies.",
    },
    "offense_not_given": {
        "effect": "uncertain",
        "text": "Offense not given: whether it qualifies is not checked.",
    },
    "exclusions_listed": {"effect": "caution", "text": "Check the exclusions: {exclusions}."},
    "trafficking_type_covered": {
        "effect": "ok",
        "text": "The law covers victims of {covered} trafficking.",
    },
    "trafficking_type_not_covered": {
        "effect": "rules_out",
        "text": "The law covers victims of {covered} trafficking only, not {trafficking} "
        "trafficking.",
    },
    "trafficking_type_partly_covered": {
        "effect": "uncertain",
        "text": "The law covers victims of {covered} trafficking only: the offense must be tied "
        "to it.",
    },
    "trafficking_type_coverage_unknown": {
        "effect": "uncertain",
        "text": "The record does not settle which kinds of trafficking the law covers.",
    },
    "trafficking_type_not_given": {
        "effect": "uncertain",
        "text": "The law covers victims of {covered} trafficking only; the kind was not given.",
    },
    "age_within_limit": {
        "effect": "ok",
        "text": "Age at the offense ({age}) is within the limit (offenses at {max_age} or "
        "younger).",
    },
    "age_over_limit": {
        "effect": "rules_out",
        "text": "Only offenses committed at age {max_age} or younger; the client was {age}.",
    },
    "age_not_given": {
        "effect": "uncertain",
        "text": "Only offenses committed at age {max_age} or younger; age at the offense not "
        "given.",
    },
    "no_deadline": {"effect": "ok", "text": "No filing deadline."},
    "deadline_open": {
        "effect": "ok",
        "text": "Deadline: {years} years from {event}; file by {date}.",
    },
    "deadline_passed": {
        "effect": "rules_out",
        "text": "Too late: the deadline ({years} years from {event}) passed on {date}.",
    },
    "deadline_may_have_passed": {
        "effect": "uncertain",
        "text": "The deadline ({years} years from {event}) falls between {earliest} and "
        "{latest}; it may have passed.",
    },
    "deadline_input_missing": {
        "effect": "uncertain",
        "text": "Deadline: {years} years from {event}; that date was not given.",
    },
    "deadline_not_computable": {
        "effect": "uncertain",
        "text": "Deadline: {rule}; not computed from the inputs: read the time limit.",
    },
    "deadline_not_a_date": {
        "effect": "caution",
        "text": "Deadline: {rule}, not a fixed date; file promptly and be ready to explain any "
        "delay.",
    },
    "deadline_unknown": {
        "effect": "uncertain",
        "text": "The record does not settle whether there is a deadline.",
    },
    "waiting_period": {"effect": "caution", "text": "Waiting period: {text}"},
    "eligibility_to_check": {
        "effect": "caution",
        "text": "Conditions the screener does not check may apply: read the eligibility.",
    },
    "pending_charge_only": {
        "effect": "uncertain",
        "text": "A defense raised at trial: it helps only against a charge still pending.",
    },
    "not_for_closed_case": {
        "effect": "rules_out",
        "text": "A defense raised at trial against a pending charge: it does not clear {record}.",
    },
    "no_limitation": {"effect": "ok", "text": "No limitation period."},
    "limitation_open": {
        "effect": "ok",
        "text": "Limitation: {years} years; from leaving the trafficking situation, sue by {date} "
        "(earlier acts may run out sooner).",
    },
    "limitation_passed": {
        "effect": "rules_out",
        "text": "Too late: the limitation period ({years} years), counted from leaving the "
        "trafficking situation, ended on {date}.",
    },
    "limitation_may_be_tolled": {
        "effect": "uncertain",
        "text": "The limitation period ({years} years), counted from leaving the trafficking "
        "situation, ended on {date}, unless it is tolled or starts later (see tolling; a "
        "minor's period often runs from age 18).",
    },
    "limitation_unknown": {
        "effect": "uncertain",
        "text": "The record does not settle the limitation period.",
    },
    "exit_date_not_given": {
        "effect": "uncertain",
        "text": "Limitation: {years} years; the date the client left the trafficking situation "
        "was not given.",
    },
    "eligibility_in_words": {
        "effect": "uncertain",
        "text": "Its conditions are described in words only: read the eligibility.",
    },
}

# What the attorney must establish and how to proceed: (label, field path, kind). Kind
# `text` is shown as written, `value` through VALUE_LABELS.
DETAILS: dict[str, list[list[str]]] = {
    "establish": [
        ["Eligibility", "eligibility", "text"],
        ["Nexus to trafficking", "record_relief.nexus", "value"],
        ["The statute's words", "record_relief.nexus_text", "text"],
        ["Burden of proof", "record_relief.burden_of_proof", "value"],
        ["Official documentation", "record_relief.official_documentation", "value"],
        ["Evidence", "evidence", "text"],
    ],
    "procedure": [
        ["Forms of relief", "record_relief.relief_forms", "value"],
        ["Where to file", "procedure.forum", "text"],
        ["How to file", "procedure.how_to_file", "text"],
        ["Hearing", "record_relief.hearing", "value"],
        ["Court's discretion", "record_relief.discretion", "value"],
        ["Notice", "procedure.notice_to_prosecutor", "text"],
        ["Fees", "procedure.fees", "text"],
        ["Confidential filing", "record_relief.confidential_filing", "value"],
        ["Deadline", "record_relief.time_limit.text", "text"],
        ["Time limits", "time_limits", "text"],
        ["Limitation", "civil_action.limitation_text", "text"],
        ["Tolling", "civil_action.tolling", "text"],
    ],
}
VALUE_LABELS: dict[str, dict[str, str]] = {
    "nexus": {
        "as_a_result_of": "the offense was a result of being trafficked",
        "direct_result": "the offense was a direct result of being trafficked",
        "while_a_victim": "the offense was committed while a victim",
        "other": "see the statute's words",
        "unknown": "unknown",
    },
    "burden_of_proof": {
        "preponderance": "preponderance of the evidence",
        "clear_and_convincing": "clear and convincing evidence",
        "not_specified": "not specified in the law",
        "other": "other (see evidence)",
        "unknown": "unknown",
    },
    "official_documentation": {
        "required": "official documentation of victim status is required",
        "creates_presumption": "not required; official documentation creates a presumption",
        "not_required": "not required",
        "unknown": "unknown",
    },
    "hearing": {
        "required": "required",
        "not_required": "not required",
        "court_discretion": "at the court's discretion",
        "unknown": "unknown",
    },
    "discretion": {
        "shall": "the court must grant relief once the conditions are met",
        "may": "the court may grant relief",
        "unknown": "unknown",
    },
}

# The fields of a remedy record the screener reads (the site exports only these).
SCREEN_FIELDS = [
    "id",
    "jurisdiction",
    "remedy_type",
    "title",
    "available",
    "legal_basis",
    "eligibility",
    "evidence",
    "time_limits",
    "procedure",
    "record_relief",
    "civil_action",
    "last_verified",
    "verification",
]
INPUT_FIELDS = [
    "jurisdiction",
    "record",
    "offense",
    "offense_date",
    "convicted",
    "exited",
    "age",
    "trafficking",
]


@dataclass(frozen=True)
class ScreenInput:
    """The client's situation. Only the jurisdiction is required."""

    jurisdiction: str  # a code: US-NY, US-DC, US-PR, or US for a federal record
    record: str | None = None  # a key of RECORD_KINDS
    offense: str | None = None  # a key of OFFENSE_CATEGORIES
    offense_date: dt.date | None = None
    convicted: dt.date | None = None  # conviction or other disposition
    exited: dt.date | None = None  # left the trafficking situation
    age: int | None = None  # age at the offense
    trafficking: str | None = None  # a key of TRAFFICKING_KINDS

    def __post_init__(self) -> None:
        for name, table in (
            ("record", RECORD_KINDS),
            ("offense", OFFENSE_CATEGORIES),
            ("trafficking", TRAFFICKING_KINDS),
        ):
            value = getattr(self, name)
            if value is not None and value not in table:
                raise ValueError(f"{name} must be one of {', '.join(table)}, not {value!r}")

    @classmethod
    def from_dict(cls, data: dict) -> ScreenInput:
        """From JSON (dates as YYYY-MM-DD strings; missing or null for not given)."""

        def day(key: str) -> dt.date | None:
            value = data.get(key)
            return dt.date.fromisoformat(value) if value else None

        age = data.get("age")
        return cls(
            jurisdiction=str(data["jurisdiction"]),
            record=data.get("record") or None,
            offense=data.get("offense") or None,
            offense_date=day("offense_date"),
            convicted=day("convicted"),
            exited=day("exited"),
            age=int(age) if age is not None and age != "" else None,
            trafficking=data.get("trafficking") or None,
        )

    def as_dict(self) -> dict:
        out = asdict(self)
        for key in ("offense_date", "convicted", "exited"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


@dataclass(frozen=True)
class Reason:
    code: str
    effect: str
    text: str


@dataclass(frozen=True)
class Result:
    """The screener's answer for one remedy."""

    id: str
    jurisdiction: str
    remedy_type: str
    title: str
    available: Any
    federal: bool  # a federal remedy listed for a state, DC or territory record
    verdict: str
    reasons: list[Reason]
    deadline: dict | None  # {"earliest", "latest"} when computed from the inputs
    establish: list[list[str]]
    procedure: list[list[str]]
    law: list[dict]  # {"citation", "url"}
    last_verified: str | None
    verification: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def rules() -> dict:
    """Every table the evaluator uses, as JSON-ready data for the browser evaluator."""
    return {
        "federal": FEDERAL,
        "verdicts": VERDICTS,
        "effects": EFFECTS,
        "record_kinds": RECORD_KINDS,
        "offense_categories": OFFENSE_CATEGORIES,
        "trafficking_kinds": TRAFFICKING_KINDS,
        "availability": AVAILABILITY,
        "coverage": COVERAGE,
        "category_treatment": CATEGORY_TREATMENT,
        "time_limit_rules": TIME_LIMIT_RULES,
        "time_limit_labels": TIME_LIMIT_LABELS,
        "runs_from": RUNS_FROM,
        "type_rules": TYPE_RULES,
        "default_type_rule": DEFAULT_TYPE_RULE,
        "pending_kinds": PENDING_KINDS,
        "reasons": REASONS,
        "details": DETAILS,
        "value_labels": VALUE_LABELS,
        "screen_fields": SCREEN_FIELDS,
        "input_fields": INPUT_FIELDS,
        "disclaimer": DISCLAIMER,
    }


# --- small pieces, mirrored one for one in docs/assets/screener.js ------------------------


def tristate_key(value: Any) -> str:
    """`true`, `false` or `unknown` (anything else, or missing, is unknown)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "unknown"


def number_text(value: Any) -> str:
    """10 and 10.0 both read `10` (as JavaScript prints them)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def value_text(field: str, value: Any) -> str:
    """An enumerated field for people: its label, or the value with spaces."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(value_text(field, v) for v in value)
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, dict) or value is None:
        return ""
    labels = VALUE_LABELS.get(field) or {}
    if isinstance(value, str) and value in labels:
        return labels[value]
    return str(value).replace("_", " ")


def fill(template: str, params: dict[str, Any]) -> str:
    """`{name}` replaced by params[name]; unknown names are left as they are."""

    def sub(match: re.Match) -> str:
        key = match.group(1)
        return str(params[key]) if key in params else match.group(0)

    return re.sub(r"\{(\w+)\}", sub, template)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), at most the last day of that month."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def years_to_months(years: Any) -> int:
    """Whole months in a number of years, rounded half up."""
    return int((float(years) * 12 + 0.5) // 1)


def get_path(record: dict, path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _has_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _key(value: Any, table: dict) -> str | None:
    """The value if it is a key of the table, else None (never an error)."""
    return value if isinstance(value, str) and value in table else None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(value: Any) -> bool:
    return _number(value) and float(value).is_integer()


# --- the evaluator -------------------------------------------------------------------------


def deadline_window(
    years: Any, runs_from: str, query: ScreenInput
) -> tuple[dt.date, dt.date] | None:
    """(earliest, latest) possible deadline from the inputs, or None if a date is missing.

    From a given date the two are equal. From the 18th birthday they bracket it: a person
    aged `a` at an offense on day `o` turned 18 after o + (17 - a) years and on or before
    o + (18 - a) years.
    """
    months = years_to_months(years)
    source = RUNS_FROM[runs_from]["input"]
    if source == "age_18":
        if query.offense_date is None or query.age is None:
            return None
        latest = add_months(query.offense_date, (18 - query.age) * 12 + months)
        earliest = add_months(query.offense_date, (17 - query.age) * 12 + months)
        return earliest + dt.timedelta(days=1), latest
    start = getattr(query, source) if source else None
    if start is None:
        return None
    end = add_months(start, months)
    return end, end


def _screen_age(max_age: Any, query: ScreenInput, add) -> None:
    if not _whole(max_age):
        return
    max_age = int(max_age)
    if query.age is None:
        add("age_not_given", max_age=max_age)
    elif query.age <= max_age:
        add("age_within_limit", max_age=max_age, age=query.age)
    else:
        add("age_over_limit", max_age=max_age, age=query.age)


def _screen_record_relief(remedy: dict, query: ScreenInput, today: dt.date, add) -> dict | None:
    rr = remedy.get("record_relief")
    rr = rr if isinstance(rr, dict) else {}
    # the kind of record
    if query.record is None:
        add("record_kind_not_given")
    else:
        kind = RECORD_KINDS[query.record]
        add(COVERAGE[tristate_key(rr.get(kind["covers"]))], record=kind["plural"])
    # the offense
    treatment = "unknown"
    if query.offense is None:
        add("offense_not_given")
    else:
        categories = rr.get("offense_categories")
        coded = categories.get(query.offense) if isinstance(categories, dict) else None
        treatment = _key(coded, CATEGORY_TREATMENT) or "unknown"
        add(CATEGORY_TREATMENT[treatment], offense=OFFENSE_CATEGORIES[query.offense])
    exclusions = rr.get("exclusions")
    if isinstance(exclusions, list) and exclusions and treatment != "excluded":
        add("exclusions_listed", exclusions="; ".join(str(e).rstrip(".") for e in exclusions))
    # the kind of trafficking
    kinds = rr.get("trafficking_types")
    if not isinstance(kinds, list) or not kinds:
        add("trafficking_type_coverage_unknown")
    else:
        covered = " and ".join(k for k in ("sex", "labor") if k in kinds)
        asked = query.trafficking
        if "sex" in kinds and "labor" in kinds:
            add("trafficking_type_covered", covered=covered)
        elif asked is None or asked == "unknown":
            add("trafficking_type_not_given", covered=covered)
        elif asked == "both":
            add("trafficking_type_partly_covered", covered=covered)
        elif asked in kinds:
            add("trafficking_type_covered", covered=covered)
        else:
            add("trafficking_type_not_covered", covered=covered, trafficking=asked)
    # age at the offense
    _screen_age(rr.get("max_age_at_offense"), query, add)
    # the deadline
    limit = rr.get("time_limit")
    limit = limit if isinstance(limit, dict) else {}
    rule = _key(limit.get("rule"), TIME_LIMIT_RULES) or "unknown"
    deadline = None
    if rule == "fixed_period":
        deadline = _fixed_period(limit, query, today, add)
    else:
        add(TIME_LIMIT_RULES[rule], rule=TIME_LIMIT_LABELS[rule])
    if _has_text(limit.get("waiting_period")):
        add("waiting_period", text=limit["waiting_period"])
    if _has_text(remedy.get("eligibility")):
        add("eligibility_to_check")
    return deadline


def _fixed_period(limit: dict, query: ScreenInput, today: dt.date, add) -> dict | None:
    years, runs_from = limit.get("years"), _key(limit.get("runs_from"), RUNS_FROM)
    if not _number(years) or years <= 0 or runs_from is None:
        add("deadline_not_computable", rule=TIME_LIMIT_LABELS["fixed_period"])
        return None
    event = RUNS_FROM[runs_from]["label"]
    label = f"{number_text(years)} years from {event}"
    if RUNS_FROM[runs_from]["input"] is None:
        add("deadline_not_computable", rule=label)
        return None
    window = deadline_window(years, runs_from, query)
    if window is None:
        add("deadline_input_missing", years=number_text(years), event=event)
        return None
    earliest, latest = window
    params = {"years": number_text(years), "event": event}
    if today > latest:
        add("deadline_passed", date=latest.isoformat(), **params)
    elif today <= earliest:
        add("deadline_open", date=earliest.isoformat(), **params)
    else:
        add(
            "deadline_may_have_passed",
            earliest=earliest.isoformat(),
            latest=latest.isoformat(),
            **params,
        )
    return {"earliest": earliest.isoformat(), "latest": latest.isoformat()}


def _screen_civil_action(remedy: dict, query: ScreenInput, today: dt.date, add) -> dict | None:
    ca = remedy.get("civil_action")
    ca = ca if isinstance(ca, dict) else {}
    period = ca.get("limitation_period")
    if period == "none":
        add("no_limitation")
        return None
    if not _number(period) or period <= 0:
        add("limitation_unknown")
        return None
    years = number_text(period)
    if query.exited is None:
        add("exit_date_not_given", years=years)
        return None
    end = add_months(query.exited, years_to_months(period))
    if today <= end:
        add("limitation_open", years=years, date=end.isoformat())
    elif _has_text(ca.get("tolling")) or query.age is None or query.age < 18:
        add("limitation_may_be_tolled", years=years, date=end.isoformat())
    else:
        add("limitation_passed", years=years, date=end.isoformat())
    return {"earliest": end.isoformat(), "latest": end.isoformat()}


def _details(remedy: dict, section: str) -> list[list[str]]:
    out = []
    for label, path, kind in DETAILS[section]:
        value = get_path(remedy, path)
        if value is None or value == "" or value == []:
            continue
        field = path.split(".")[-1]
        text = value if kind == "text" and isinstance(value, str) else value_text(field, value)
        out.append([label, text])
    return out


def _law(remedy: dict) -> list[dict]:
    out = []
    for ref in remedy.get("legal_basis") or []:
        if isinstance(ref, dict):
            cite = ref.get("citation") or ref.get("statute") or ""
            out.append({"citation": str(cite), "url": ref.get("official_text_url") or None})
    return out


def screen_one(remedy: dict, query: ScreenInput, today: dt.date) -> Result:
    """The verdict, reasons, deadline and details for one remedy record."""
    reasons: list[Reason] = []

    def add(code: str, **params: Any) -> None:
        spec = REASONS[code]
        reasons.append(Reason(code, spec["effect"], fill(spec["text"], params)))

    remedy_type = str(remedy.get("remedy_type") or "")
    type_rule = TYPE_RULES.get(remedy_type, DEFAULT_TYPE_RULE)
    federal = remedy.get("jurisdiction") == FEDERAL and query.jurisdiction != FEDERAL
    deadline = None
    stop = AVAILABILITY[tristate_key(remedy.get("available"))]
    if federal and type_rule.get("federal_only"):
        add("federal_offenses_only", jurisdiction=query.jurisdiction)
    elif stop is not None:
        add(stop, last_verified=remedy.get("last_verified") or "unknown")
    else:
        screen = type_rule.get("screen")
        if screen == "record_relief":
            deadline = _screen_record_relief(remedy, query, today, add)
        elif screen == "civil_action":
            deadline = _screen_civil_action(remedy, query, today, add)
        elif screen == "pending_charge":
            if query.record is None or query.record in PENDING_KINDS:
                add("pending_charge_only")
            else:
                add("not_for_closed_case", record=RECORD_KINDS[query.record]["plural"])
        _screen_age(type_rule.get("max_age_at_offense"), query, add)
        if type_rule.get("in_words"):
            add("eligibility_in_words")
    verdict = LIKELY
    for reason in reasons:
        cap = EFFECTS[reason.effect]
        if VERDICTS.index(cap) > VERDICTS.index(verdict):
            verdict = cap
    return Result(
        id=str(remedy.get("id") or ""),
        jurisdiction=str(remedy.get("jurisdiction") or ""),
        remedy_type=remedy_type,
        title=str(remedy.get("title") or remedy.get("id") or ""),
        available=remedy.get("available"),
        federal=federal,
        verdict=verdict,
        reasons=reasons,
        deadline=deadline,
        establish=_details(remedy, "establish"),
        procedure=_details(remedy, "procedure"),
        law=_law(remedy),
        last_verified=remedy.get("last_verified"),
        verification=shown_verification(remedy),
    )


def screen(remedies: list[dict], query: ScreenInput, today: dt.date) -> list[Result]:
    """Screen the remedies of the query's jurisdiction, then the federal ones, in the given
    order. Records of other jurisdictions are ignored. Pure: no files, no clock."""
    own = [r for r in remedies if r.get("jurisdiction") == query.jurisdiction]
    federal = (
        [r for r in remedies if r.get("jurisdiction") == FEDERAL]
        if query.jurisdiction != FEDERAL
        else []
    )
    return [screen_one(r, query, today) for r in own + federal]


def shown_verification(remedy: dict) -> Any:
    """The verification level to show: capped by the sources when the record view says
    so (query.record_view), else as the record declares it."""
    level = (remedy.get("provenance") or {}).get("verification_level")
    return level or remedy.get("verification")


def screen_view(remedy: dict) -> dict:
    """Only the fields of a record the screener reads (what the site exports)."""
    view = {k: remedy[k] for k in SCREEN_FIELDS if k in remedy}
    if "verification" in view:
        view["verification"] = shown_verification(remedy)
    return view


# --- on a knowledge base -------------------------------------------------------------------

SCREENABLE_KINDS = ("federal", "state", "district", "territory")


def screen_corpus(corpus, query: ScreenInput, today: dt.date) -> dict:
    """The screener on a knowledge base: the jurisdiction's remedies and the federal ones,
    citations resolved. `query.jurisdiction` may be any spelling the registry accepts."""
    from . import query as lookups
    from .kb import KBUsageError

    jurisdiction = corpus.registry.resolve(query.jurisdiction)
    if jurisdiction.kind not in SCREENABLE_KINDS:
        raise KBUsageError(
            f"the screener takes a state, DC, a territory or US (federal), not "
            f"{jurisdiction.label}; `kbtool jurisdictions` lists them"
        )
    resolved = dataclasses.replace(query, jurisdiction=jurisdiction.code)
    remedies = lookups.remedies(corpus, jurisdiction)
    if jurisdiction.code != FEDERAL:
        federal = corpus.registry.get(FEDERAL)
        if federal is not None:
            remedies += lookups.remedies(corpus, federal)
    results = screen(remedies, resolved, today)
    return {
        "as_of": today.isoformat(),
        "jurisdiction": {"code": jurisdiction.code, "name": jurisdiction.name},
        "input": resolved.as_dict(),
        "results": [r.as_dict() for r in results],
        "disclaimer": DISCLAIMER,
    }


def as_script(name: str, data: Any) -> str:
    """`window.NAME = <json>;`, safe inside a page (works from file:// where fetch() fails)."""
    text = json.dumps(data, ensure_ascii=True)
    text = text.replace("</", "<\\/").replace("<!--", "\\u003c!--")  # still valid JSON
    return f"window.{name} = {text};\n"


def site_files(corpus, as_of: str) -> dict[str, str]:
    """The screener page's data: the rule tables and the screenable records' fields."""
    from . import query as lookups

    places = [j for j in corpus.registry if j.kind in SCREENABLE_KINDS]
    places.sort(key=lambda j: j.code == FEDERAL)  # states, DC, territories, then federal
    remedies = [screen_view(r) for j in places for r in lookups.remedies(corpus, j)]
    data = {
        "as_of": as_of,
        "jurisdictions": [
            {"code": j.code, "name": j.name, "kind": j.kind, "folder": j.folder} for j in places
        ],
        "types": {t: corpus.type_label(t) for t in corpus.remedy_types},
        "remedies": remedies,
    }
    return {
        "data/screener-rules.js": as_script("KB_SCREENER_RULES", rules()),
        "data/screener-data.js": as_script("KB_SCREENER_DATA", data),
    }

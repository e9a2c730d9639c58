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
(the verdict becomes `not available`), `time_bars` (a deadline computed from the inputs has
passed: `time-barred`, with what may still help named as cautions), `uncertain` (at most
`possibly available`), `ok` or `caution` (no effect). Anything unknown, in the data or in
the input, is `uncertain`.
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
TIME_BARRED = "time-barred"
VERDICTS = [LIKELY, POSSIBLY, TIME_BARRED, NOT_AVAILABLE]  # best first
EFFECTS = {  # what a reason does to the verdict: the best verdict it leaves
    "ok": LIKELY,
    "caution": LIKELY,
    "uncertain": POSSIBLY,
    "time_bars": TIME_BARRED,
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

# Common charge names -> offense category (`--offense shoplifting`). Matched after
# lower-casing and turning `-`, `_` and runs of spaces into one space; the category keys and
# labels match too. Mapped as schema/vocabulary.yaml describes each category.
OFFENSE_ALIASES: dict[str, str] = {
    "solicitation": "prostitution",
    "soliciting": "prostitution",
    "solicitation of prostitution": "prostitution",
    "prostitution related": "prostitution",
    "promoting prostitution": "prostitution",
    "sex work": "prostitution",
    "selling sex": "prostitution",
    "loitering for prostitution": "loitering",
    "loitering for the purpose of prostitution": "loitering",
    "loitering for the purpose of engaging in prostitution": "loitering",
    "prostitution loitering": "loitering",
    "possession of a controlled substance": "drug_possession",
    "possession of controlled substance": "drug_possession",
    "controlled substance possession": "drug_possession",
    "possession of drugs": "drug_possession",
    "possession of narcotics": "drug_possession",
    "possession of marijuana": "drug_possession",
    "possession of cannabis": "drug_possession",
    "shoplifting": "theft",
    "larceny": "theft",
    "petit larceny": "theft",
    "petty theft": "theft",
    "grand larceny": "theft",
    "receiving stolen property": "theft",
    "possession of stolen property": "theft",
    "false identification": "fraud",
    "false id": "fraud",
    "giving a false name": "fraud",
    "false personation": "fraud",
    "criminal impersonation": "fraud",
    "identity theft": "fraud",
    "forgery": "fraud",
    "possession of a forged instrument": "fraud",
    "check fraud": "fraud",
    "credit card fraud": "fraud",
    "weapon possession": "weapons",
    "weapons possession": "weapons",
    "possession of a weapon": "weapons",
    "carrying a concealed weapon": "weapons",
    "unlawful possession of a firearm": "weapons",
    "robbery": "violent_felony",
    "felony assault": "violent_felony",
    "aggravated assault": "violent_felony",
    "illegal entry": "immigration",
    "unlawful entry into the united states": "immigration",
    "illegal reentry": "immigration",
    "trespass": "other",
    "criminal trespass": "other",
    "disorderly conduct": "other",
    "public intoxication": "other",
    "driving without a license": "other",
}

TRAFFICKING_KINDS: dict[str, str] = {
    "sex": "sex",
    "labor": "labor",
    "both": "sex and labor",
    "unknown": "unknown",
}

# The client's immigration status: immigration relief is for noncitizens only.
IMMIGRATION_STATUSES: dict[str, str] = {
    "citizen": "U.S. citizen",
    "lpr": "lawful permanent resident",
    "noncitizen": "noncitizen without permanent residence",
    "unknown": "unknown",
}
# A lawful permanent resident is ruled out only where the record's own text says the relief
# leads to (or requires giving up for) what the client already holds: [field, words]
# matched case-insensitively. Otherwise the record does not settle it: uncertain.
LPR_RULED_OUT_BY: list[list[str]] = [
    ["effect", "lawful permanent residence"],
]
# Civil actions for people victimized as minors, recognized by the record's own words.
MINOR_VICTIM_WORDS: list[list[str]] = [
    ["civil_action.who_may_sue", "while a minor"],
    ["civil_action.who_may_sue", "while under 18"],
    ["eligibility", "while under 18"],
]
# `record_relief.applies_to` (when coded): minors-only relief counts as an age limit of 17.
APPLIES_TO_MAX_AGE: dict[str, int | None] = {
    "adults_and_minors": None,
    "minors_only": 17,
    "unknown": None,
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
#   limitation period, from the exit date), or `words` (conditions in words only);
# - stage: a key of STAGES, for remedies used while a case is open (a defense at trial,
#   safe harbor instead of charges), ruled out once the case is decided;
# - max_age_at_offense: an age limit implied by the type itself;
# - immigration: for noncitizens only (IMMIGRATION_STATUSES);
# - federal_only: a federal remedy of this type reaches federal offenses only, so it
#   does not apply to a state, DC or territory record;
# - in_words: eligibility is described in words only, so the verdict is at most possibly
#   (not said of a remedy already time-barred or ruled out).
# A civil action's limitation period is counted from the exit date (the latest the claim can
# have arisen); once it has run, the verdict is `time-barred` if the client is known to have
# been an adult at the offense (the record's tolling named as a caution), else possibly.
TYPE_RULES: dict[str, dict[str, Any]] = {
    "criminal_record_relief": {"screen": "record_relief", "federal_only": True, "in_words": False},
    "affirmative_defense": {
        "screen": "words",
        "stage": "pending_charge",
        "federal_only": True,
        "in_words": True,
    },
    "safe_harbor_minors": {
        "screen": "words",
        "stage": "before_adjudication",
        "max_age_at_offense": 17,
        "in_words": True,
    },
    "civil_action": {"screen": "civil_action", "in_words": True},
    "immigration_relief": {"screen": "words", "immigration": True, "in_words": True},
    # Domestic non-punishment measures act on a charge: a bar to charging the victim, or
    # deferral and dismissal (the international principle is not screened: no record).
    "non_punishment": {"screen": "words", "stage": "while_charged", "in_words": True},
}
DEFAULT_TYPE_RULE: dict[str, Any] = {"screen": "words", "in_words": True}
# Remedies used while a case is open: the record kinds where it may still be open, and the
# reasons when the kind is not given or open, and when the case is decided.
STAGES: dict[str, dict[str, Any]] = {
    "pending_charge": {
        "open_kinds": ["arrest"],
        "open": "pending_charge_only",
        "closed": "not_for_closed_case",
    },
    "before_adjudication": {
        "open_kinds": ["arrest"],
        "open": "before_adjudication_only",
        "closed": "not_after_adjudication",
    },
    "while_charged": {
        "open_kinds": ["arrest"],
        "open": "charge_stage_only",
        "closed": "not_for_decided_case",
    },
}

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
        "effect": "time_bars",
        "text": "Too late: the deadline ({years} years from {event}) passed on {date}.",
    },
    "deadline_exception_to_check": {
        "effect": "caution",
        "text": "What the record says of the time limit (check it for any exception): {text}",
    },
    "deadline_no_exception_coded": {
        "effect": "caution",
        "text": "The record notes no exception to the deadline; check the statute for one.",
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
    "charge_stage_only": {
        "effect": "uncertain",
        "text": "It acts on a charge (a bar to charging, or deferral and dismissal): it helps "
        "only while the case is open.",
    },
    "not_for_decided_case": {
        "effect": "rules_out",
        "text": "It acts on a charge (a bar to charging, or deferral and dismissal); it does not "
        "clear {record}: see record relief.",
    },
    "no_limitation": {"effect": "ok", "text": "No limitation period."},
    "limitation_open": {
        "effect": "ok",
        "text": "Limitation: {years} years; from leaving the trafficking situation, sue by {date} "
        "(earlier acts may run out sooner).",
    },
    "limitation_passed": {
        "effect": "time_bars",
        "text": "Too late: the limitation period ({years} years), counted from leaving the "
        "trafficking situation, ended on {date}.",
    },
    "limitation_may_be_tolled": {
        "effect": "uncertain",
        "text": "The limitation period ({years} years), counted from leaving the trafficking "
        "situation, ended on {date}, unless it is tolled or starts later (see tolling; a "
        "minor's period often runs from age 18).",
    },
    "tolling_may_help": {
        "effect": "caution",
        "text": "Tolling may still help: {tolling}",
    },
    "no_tolling_coded": {
        "effect": "caution",
        "text": "The record names no tolling rule; check the statute and case law for one.",
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
    "before_adjudication_only": {
        "effect": "caution",
        "text": "It keeps a minor from being charged or adjudicated: it helps while a case is "
        "still open.",
    },
    "not_after_adjudication": {
        "effect": "rules_out",
        "text": "It keeps a minor from being charged or adjudicated; it does not undo a case "
        "already decided ({record}): see record relief.",
    },
    "victim_age_within_limit": {
        "effect": "ok",
        "text": "For people victimized under 18: the client was {age} at the offense.",
    },
    "victim_age_over_limit": {
        "effect": "rules_out",
        "text": "For people victimized under 18 only; the client was {age} at the offense (if "
        "the trafficking began before 18, screen again with that age).",
    },
    "victim_age_not_given": {
        "effect": "uncertain",
        "text": "For people victimized under 18 only; age not given.",
    },
    "immigration_noncitizen": {
        "effect": "ok",
        "text": "For noncitizens: the client is {status}.",
    },
    "immigration_citizen": {
        "effect": "rules_out",
        "text": "For noncitizens only: a U.S. citizen does not need it.",
    },
    "immigration_lpr_has_it": {
        "effect": "rules_out",
        "text": "The client is already a lawful permanent resident, and the record's {field} "
        "reads: {quote}",
    },
    "immigration_lpr_unsettled": {
        "effect": "uncertain",
        "text": "The record does not settle whether a lawful permanent resident can seek it: "
        "read the eligibility.",
    },
    "immigration_status_not_given": {
        "effect": "uncertain",
        "text": "For noncitizens only; immigration status not given.",
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
        # one deadline: the first of these the record has (they say the same thing)
        ["Deadline", "time_limits", "text"],
        ["Deadline", "record_relief.time_limit.text", "text"],
        ["Deadline", "civil_action.limitation_text", "text"],
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

# The deadline column of the summary: a short text per deadline reason.
DEADLINE_SUMMARY: dict[str, str] = {
    "no_deadline": "none",
    "deadline_open": "file by {date}",
    "deadline_passed": "passed on {date}",
    "deadline_may_have_passed": "between {earliest} and {latest}",
    "deadline_input_missing": "{years} years from {event} (date not given)",
    "deadline_not_computable": "{rule} (not computed)",
    "deadline_not_a_date": "{rule}",
    "deadline_unknown": "unknown",
    "no_limitation": "none",
    "limitation_open": "sue by {date}",
    "limitation_passed": "ended on {date}",
    "limitation_may_be_tolled": "{date}, unless tolled or later",
    "limitation_unknown": "unknown",
    "exit_date_not_given": "{years} years (exit date not given)",
}

# Inputs refused before screening (a usage error): the dates as given cannot be.
DATE_FIELDS: dict[str, str] = {
    "offense_date": "the offense date",
    "convicted": "the conviction or disposition date",
    "exited": "the date the client left the trafficking situation",
}
INPUT_ERRORS: dict[str, str] = {
    "future_date": "{field} ({date}) is after today ({today}): give a past date.",
    "convicted_before_offense": "the conviction or disposition date ({convicted}) is before "
    "the offense date ({offense_date}): check both dates.",
}

# The memo for the case file (`kbtool screen --format memo`, the site's download).
MEMO: dict[str, str] = {
    "title": "Remedy screening memo: {jurisdiction}",
    "intro": "Prepared with the remedy screener on {as_of}. The verdicts come from the "
    "recorded law and the facts as entered; each remedy's verification date is given below.",
    "facts": "Client facts as entered",
    "summary": "Summary",
    "remedies": "Remedies",
    "not_given": "not given",
    "counted_as": "{entered} (counted as: {category})",
    "requirements": "Requirements",
    "procedure": "Deadlines and procedure",
    "reasons": "Screening",
    "law": "Law",
    "none": "none recorded",
}
MEMO_FIELDS: list[list[str]] = [
    ["record", "Kind of record"],
    ["offense", "Offense"],
    ["offense_date", "Date of the offense"],
    ["convicted", "Date of the conviction or disposition"],
    ["exited", "Date the client left the trafficking situation"],
    ["age", "Age at the offense"],
    ["trafficking", "Kind of trafficking"],
    ["immigration_status", "Immigration status"],
]
SCREEN_MARKS: dict[str, str] = {
    "ok": "+",
    "rules_out": "x",
    "time_bars": "x",
    "uncertain": "?",
    "caution": "!",
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
    "effect",
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
    "immigration_status",
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
    immigration_status: str | None = None  # a key of IMMIGRATION_STATUSES

    def __post_init__(self) -> None:
        for name, table in (
            ("record", RECORD_KINDS),
            ("offense", OFFENSE_CATEGORIES),
            ("trafficking", TRAFFICKING_KINDS),
            ("immigration_status", IMMIGRATION_STATUSES),
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
        offense = data.get("offense") or None
        return cls(
            jurisdiction=str(data["jurisdiction"]),
            record=data.get("record") or None,
            offense=resolve_offense(offense) or offense if offense else None,
            offense_date=day("offense_date"),
            convicted=day("convicted"),
            exited=day("exited"),
            age=int(age) if age is not None and age != "" else None,
            trafficking=data.get("trafficking") or None,
            immigration_status=data.get("immigration_status") or None,
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
    deadline_summary: str | None  # the summary table's deadline column
    minors_only: bool  # only for offenses committed (or victimization suffered) under 18
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
        "offense_aliases": OFFENSE_ALIASES,
        "immigration_statuses": IMMIGRATION_STATUSES,
        "lpr_ruled_out_by": LPR_RULED_OUT_BY,
        "minor_victim_words": MINOR_VICTIM_WORDS,
        "applies_to_max_age": APPLIES_TO_MAX_AGE,
        "availability": AVAILABILITY,
        "coverage": COVERAGE,
        "category_treatment": CATEGORY_TREATMENT,
        "time_limit_rules": TIME_LIMIT_RULES,
        "time_limit_labels": TIME_LIMIT_LABELS,
        "runs_from": RUNS_FROM,
        "type_rules": TYPE_RULES,
        "default_type_rule": DEFAULT_TYPE_RULE,
        "stages": STAGES,
        "reasons": REASONS,
        "deadline_summary": DEADLINE_SUMMARY,
        "date_fields": DATE_FIELDS,
        "input_errors": INPUT_ERRORS,
        "memo": MEMO,
        "memo_fields": MEMO_FIELDS,
        "marks": SCREEN_MARKS,
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


def normalize_words(text: Any) -> str:
    """Lower case, `-` and `_` as spaces, one space between words, no final period."""
    words = re.sub(r"[-_\s]+", " ", str(text).lower()).strip()
    return words.rstrip(".").strip()


def resolve_offense(text: Any) -> str | None:
    """The offense category for a category key, its label or a common charge name."""
    if not isinstance(text, str):
        return None
    words = normalize_words(text)
    for key, label in OFFENSE_CATEGORIES.items():
        if words in (normalize_words(key), normalize_words(label)):
            return key
    for name, key in OFFENSE_ALIASES.items():
        if words == normalize_words(name):
            return key
    return None


def check_input(query: ScreenInput, today: dt.date) -> list[Reason]:
    """What makes the input impossible (dates after today, a conviction before the
    offense): each a reason with effect `refused`. Empty when the input can be screened."""
    out: list[Reason] = []

    def add(code: str, **params: Any) -> None:
        out.append(Reason(code, "refused", fill(INPUT_ERRORS[code], params)))

    for name, label in DATE_FIELDS.items():
        value = getattr(query, name)
        if value is not None and value > today:
            add("future_date", field=label, date=value.isoformat(), today=today.isoformat())
    if query.convicted and query.offense_date and query.convicted < query.offense_date:
        add(
            "convicted_before_offense",
            convicted=query.convicted.isoformat(),
            offense_date=query.offense_date.isoformat(),
        )
    return out


def contains_words(remedy: dict, field: str, words: str) -> str | None:
    """The record's text at `field` if it contains `words` (any case), else None."""
    value = get_path(remedy, field)
    if isinstance(value, str) and words.lower() in value.lower():
        return value
    return None


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


def record_relief_max_age(rr: dict) -> Any:
    """The record relief's age limit: `max_age_at_offense`, else from `applies_to`."""
    if _whole(rr.get("max_age_at_offense")):
        return rr["max_age_at_offense"]
    applies_to = _key(rr.get("applies_to"), APPLIES_TO_MAX_AGE)
    return APPLIES_TO_MAX_AGE[applies_to] if applies_to else None


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
    # age at the offense (`applies_to: minors_only` without an age counts as 17)
    _screen_age(record_relief_max_age(rr), query, add)
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
        if _has_text(limit.get("text")):
            add("deadline_exception_to_check", text=limit["text"])
        else:
            add("deadline_no_exception_coded")
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
    elif query.age is None or query.age < 18:
        add("limitation_may_be_tolled", years=years, date=end.isoformat())
    else:
        add("limitation_passed", years=years, date=end.isoformat())
        if _has_text(ca.get("tolling")):
            add("tolling_may_help", tolling=ca["tolling"])
        else:
            add("no_tolling_coded")
    return {"earliest": end.isoformat(), "latest": end.isoformat()}


def _minor_victims_only(remedy: dict) -> bool:
    return any(contains_words(remedy, field, words) for field, words in MINOR_VICTIM_WORDS)


def _screen_victim_age(query: ScreenInput, add) -> None:
    if query.age is None:
        add("victim_age_not_given")
    elif query.age <= 17:
        add("victim_age_within_limit", age=query.age)
    else:
        add("victim_age_over_limit", age=query.age)


def _screen_stage(stage: dict, query: ScreenInput, add) -> None:
    if query.record is None or query.record in stage["open_kinds"]:
        add(stage["open"])
    else:
        add(stage["closed"], record=RECORD_KINDS[query.record]["plural"])


def _screen_immigration(remedy: dict, query: ScreenInput, add) -> None:
    status = query.immigration_status
    if status is None or status == "unknown":
        add("immigration_status_not_given")
    elif status == "citizen":
        add("immigration_citizen")
    elif status == "noncitizen":
        add("immigration_noncitizen", status=IMMIGRATION_STATUSES[status])
    else:
        for field, words in LPR_RULED_OUT_BY:
            text = contains_words(remedy, field, words)
            if text is not None:
                add("immigration_lpr_has_it", field=field.replace("_", " "), quote=text)
                return
        add("immigration_lpr_unsettled")


def _details(remedy: dict, section: str) -> list[list[str]]:
    out = []
    for label, path, kind in DETAILS[section]:
        value = get_path(remedy, path)
        if value is None or value == "" or value == [] or any(row[0] == label for row in out):
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


def _verdict(reasons: list[Reason]) -> str:
    """The worst verdict the reasons leave."""
    verdict = LIKELY
    for reason in reasons:
        cap = EFFECTS[reason.effect]
        if VERDICTS.index(cap) > VERDICTS.index(verdict):
            verdict = cap
    return verdict


def _dict(record: dict, key: str) -> dict:
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def screen_one(remedy: dict, query: ScreenInput, today: dt.date) -> Result:
    """The verdict, reasons, deadline and details for one remedy record."""
    reasons: list[Reason] = []
    summary: list[str] = []

    def add(code: str, **params: Any) -> None:
        spec = REASONS[code]
        reasons.append(Reason(code, spec["effect"], fill(spec["text"], params)))
        if code in DEADLINE_SUMMARY and not summary:
            summary.append(fill(DEADLINE_SUMMARY[code], params))

    remedy_type = str(remedy.get("remedy_type") or "")
    type_rule = TYPE_RULES.get(remedy_type, DEFAULT_TYPE_RULE)
    federal = remedy.get("jurisdiction") == FEDERAL and query.jurisdiction != FEDERAL
    deadline = None
    minors_only = False
    stop = AVAILABILITY[tristate_key(remedy.get("available"))]
    if federal and type_rule.get("federal_only"):
        add("federal_offenses_only", jurisdiction=query.jurisdiction)
    elif stop is not None:
        add(stop, last_verified=remedy.get("last_verified") or "unknown")
        stage = STAGES.get(type_rule.get("stage") or "")
        if stop == "law_undetermined" and stage is not None:
            _screen_stage(stage, query, add)  # a decided case rules it out either way
    else:
        screen = type_rule.get("screen")
        stage = STAGES.get(type_rule.get("stage") or "")
        if stage is not None:
            _screen_stage(stage, query, add)
        if screen == "record_relief":
            deadline = _screen_record_relief(remedy, query, today, add)
        elif screen == "civil_action":
            deadline = _screen_civil_action(remedy, query, today, add)
        _screen_age(type_rule.get("max_age_at_offense"), query, add)
        if screen == "civil_action" and _minor_victims_only(remedy):
            _screen_victim_age(query, add)
            minors_only = True
        if type_rule.get("immigration"):
            _screen_immigration(remedy, query, add)
        if type_rule.get("in_words") and _verdict(reasons) in (LIKELY, POSSIBLY):
            add("eligibility_in_words")
    for max_age in (
        type_rule.get("max_age_at_offense"),
        record_relief_max_age(_dict(remedy, "record_relief")),
    ):
        if _whole(max_age) and max_age < 18:
            minors_only = True
    verdict = _verdict(reasons)
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
        deadline_summary=summary[0] if summary else None,
        minors_only=minors_only,
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
    # within each, relief only for those under 18 at the time comes after the rest
    results = [screen_one(r, query, today) for r in own + federal]
    return sorted(results, key=lambda r: (r.federal, r.minors_only))


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


def screen_corpus(
    corpus, query: ScreenInput, today: dt.date, offense_entered: str | None = None
) -> dict:
    """The screener on a knowledge base: the jurisdiction's remedies and the federal ones,
    citations resolved. `query.jurisdiction` may be any spelling the registry accepts.
    Impossible inputs (dates after today, a conviction before the offense) are refused."""
    from . import query as lookups
    from .kb import KBUsageError

    problems = check_input(query, today)
    if problems:
        raise KBUsageError("; ".join(p.text for p in problems))

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
        "offense_entered": offense_entered,
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


# --- the memo (mirrored in docs/assets/screener.js: the same Markdown, byte for byte) --------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&])")
_SAFE_URL = re.compile(r"^https?://[^\s/@\"'<>`]+(/[^\s\"'<>`]*)?$")


def md(text: Any) -> str:
    """Record or user text made inert in Markdown: one line, every special character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def memo_value(name: str, answer: dict) -> str:
    """A client fact as entered, for people."""
    given = answer["input"]
    value = given.get(name)
    if value is None or value == "":
        return MEMO["not_given"]
    tables = {
        "record": {k: v["label"] for k, v in RECORD_KINDS.items()},
        "offense": OFFENSE_CATEGORIES,
        "trafficking": TRAFFICKING_KINDS,
        "immigration_status": IMMIGRATION_STATUSES,
    }
    text = tables[name].get(value, str(value)) if name in tables else str(value)
    entered = answer.get("offense_entered")
    if (
        name == "offense"
        and entered
        and normalize_words(entered)
        not in (
            normalize_words(text),
            normalize_words(value),
        )
    ):
        return fill(MEMO["counted_as"], {"entered": entered, "category": text})
    return text


def verified_text(result: dict) -> str:
    date = result.get("last_verified") or "unknown"
    if result.get("verification") == "unverified":
        return f"Checked {date}, not verified against a source."
    return f"Verified {date} ({value_text('verification', result.get('verification'))})."


def law_text(result: dict, link: bool) -> str:
    parts = []
    for ref in result["law"]:
        url = ref.get("url")
        if link and isinstance(url, str) and _SAFE_URL.match(url):
            parts.append(f"{md(ref['citation'])} (<{url}>)")
        else:
            parts.append(md(ref["citation"]))
    return "; ".join(parts) if parts else MEMO["none"]


def memo(answer: dict, types: dict) -> str:
    """The screener's answer as a Markdown memo for the case file."""
    j = answer["jurisdiction"]
    place = f"{j['name']} ({j['code']})"
    out = [
        "# " + md(fill(MEMO["title"], {"jurisdiction": place})),
        "",
        md(fill(MEMO["intro"], {"as_of": answer["as_of"]})),
        "",
        "## " + MEMO["facts"],
        "",
        f"- Jurisdiction of the record: {md(place)}",
    ]
    out += [f"- {label}: {md(memo_value(name, answer))}" for name, label in MEMO_FIELDS]
    out += ["", "## " + MEMO["summary"], "", "| Remedy | Verdict | Deadline | Law |"]
    out.append("| --- | --- | --- | --- |")
    for r in answer["results"]:
        cells = [r["title"], r["verdict"], r.get("deadline_summary") or "-"]
        out.append("| " + " | ".join(md(c) for c in cells) + " | " + law_text(r, False) + " |")
    out += ["", "## " + MEMO["remedies"]]
    for n, r in enumerate(answer["results"], 1):
        kind = types.get(r["remedy_type"]) or r["remedy_type"].replace("_", " ")
        out += ["", f"### {n}. {md(r['title'])}", ""]
        out.append(f"- Verdict: **{md(r['verdict'])}**")
        out.append(f"- Type: {md(kind)}; id: {md(r['id'])}")
        out.append(f"- {MEMO['law']}: {law_text(r, True)}")
        out.append(f"- {md(verified_text(r))}")
        out += ["", f"{MEMO['reasons']}:", ""]
        out += [f"- {SCREEN_MARKS[x['effect']]} {md(x['text'])}" for x in r["reasons"]]
        if r["verdict"] != NOT_AVAILABLE:
            for title, pairs in (
                (MEMO["requirements"], r["establish"]),
                (MEMO["procedure"], r["procedure"]),
            ):
                if pairs:
                    out += ["", f"{title}:", ""]
                    out += [f"- {md(label)}: {md(text)}" for label, text in pairs]
    out += ["", "---", "", md(answer["disclaimer"]), ""]
    return "\n".join(out)

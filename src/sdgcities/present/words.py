"""Words in each language, kept in catalogues: present/catalogues/<lang>/<namespace>.yaml.

A catalogue is a folder per language; each YAML file in it is a namespace of nested keys, so
`achievement.yaml` holding `reason: {no_actual: ...}` gives the key `achievement.reason.no_actual`.
Values are labels or templates with named fields in str.format syntax (`{n}`, `{share:.0%}`); the
code passes numbers and data, the catalogue holds every word. A count's word can follow its number:
`{n} {n:?row|rows}` gives "1 row" and "2 rows" (languages without plurals simply do not use it). Adding a language is adding a folder
with the same keys (tests/test_words.py checks that every catalogue has the same keys and fields).

    words = Words("ja")
    words("achievement.intro", n_rows=55)       # a template filled in
    words.label("side", "economy")              # codes.side.economy: the label of a coded value
"""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CATALOGUES = Path(__file__).resolve().parent / "catalogues"
NONE_CODE = "none"  # the key under which a group labels a missing (NULL) code


class MissingWordError(KeyError):
    """A key (or a coded value) has no entry in a language's catalogue."""

    def __str__(self) -> str:
        return str(self.args[0])


def languages() -> tuple[str, ...]:
    """The languages that have a catalogue (one folder each)."""
    return tuple(sorted(p.name for p in CATALOGUES.iterdir() if p.is_dir()))


def _flatten(prefix: str, value: Any, out: dict[str, str], origin: Path) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}", inner, out, origin)
    elif isinstance(value, str):
        out[prefix] = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out[prefix] = str(value)
    else:
        raise ValueError(f"{origin}: {prefix} must be text or a mapping of text, not {value!r}")


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """Every key of one language, flattened ('namespace.key.subkey' -> text)."""
    folder = CATALOGUES / lang
    if not folder.is_dir():
        raise MissingWordError(f"no catalogue for language {lang!r}; the catalogues are {', '.join(languages())}")
    entries: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        # libyaml's loader when PyYAML has it: the same YAML, read about ten times faster (every kernel and
        # report worker reads ~1,100 keys per language).
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a catalogue file holds a mapping of keys")
        # YAML reads the key `null`, `yes` or `no` as non-strings: keys are always text here.
        _flatten(path.stem, {str(k): v for k, v in data.items()}, entries, path)
    return entries


def fields(template: str) -> set[str]:
    """The named fields of a template ({n}, {share:.0%} -> {'n', 'share'})."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


class _Formatter(string.Formatter):
    """str.format plus one spec: `{n:?one|other}` is `one` when n is 1, else `other`."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec.startswith("?"):
            one, _, other = format_spec[1:].partition("|")
            return one if value == 1 else other
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


class Words:
    """The words of one language: call with a key (and the template's fields) to get the text."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.entries = catalogue(lang)

    def __call__(self, key: str, /, **params: Any) -> str:
        try:
            template = self.entries[key]
        except KeyError:
            raise MissingWordError(f"the {self.lang} catalogue has no key {key!r} (present/catalogues/{self.lang}/"
                                   f"{key.split('.', 1)[0]}.yaml)") from None
        if not params:
            return template
        try:
            if ":?" not in template:  # no `{n:?one|other}`: str.format gives the same text, without the Python-level parser
                return template.format(**params)
            return _FORMATTER.format(template, **params)
        except KeyError as error:
            raise MissingWordError(f"{self.lang} {key!r} needs the field {error.args[0]!r}; given {sorted(params)}") from None
        except (ValueError, TypeError) as error:  # a value the field's format cannot take (None for {n:,})
            shown = {k: v for k, v in params.items() if not isinstance(v, str) or len(v) < 40}
            raise ValueError(f"{self.lang} {key!r} ({template!r}) cannot be filled with {shown}: {error}") from None

    def has(self, key: str) -> bool:
        return key in self.entries

    def label(self, group: str, code: Any) -> str:
        """The label of a coded value: `side` is codes.side.<code>; a dotted group (`rules.tier`) is
        used as it is. A NULL code is <group>.none."""
        return self(f"{_group(group)}.{NONE_CODE if code is None else code}")

    def labels(self, group: str) -> dict[str, str]:
        """Every code of a group and its label, in catalogue order."""
        prefix = f"{_group(group)}."
        return {key[len(prefix):]: text for key, text in self.entries.items() if key.startswith(prefix)}


# The catalogue group that labels the codes of each coded column of the database (view, column): the
# reports, the codebook and the tests read the labels through it, so a code has one label per language.
CODE_GROUPS: dict[tuple[str, str], str] = {
    **{(view, column): "codes.side" for view, column in (
        ("kpis", "side"), ("kpis", "synergy_from"), ("kpis", "synergy_to"), ("kpi_sdg_targets", "side"),
        ("priority_targets", "side"), ("synergies", "from_side"), ("synergies", "to_side"), ("initiatives", "side"),
        ("initiative_kpis", "initiative_side"), ("initiative_kpis", "kpi_side"), ("expert_comments", "side"))},
    **{(view, column): "codes.direction" for view, column in (
        ("kpis", "direction"), ("achievement_audit", "direction"), ("kpi_rule_results", "direction_used"))},
    **{(view, "doc_type"): "codes.doc_type" for view in ("documents", "city_comparability")},
    ("kpi_observations", "kind"): "codes.kind",
    **{(view, "category"): "codes.category" for view in (
        "stakeholders", "agreements", "city_partner_categories", "city_theme_words", "shared_partners")},
    **{("shared_partners", column): "stakeholders.status" for column in ("date_status", "theme_status")},
    ("stakeholders", "relation"): "codes.relation",
    ("stakeholders", "theme"): "codes.theme",
    ("stakeholders", "event"): "findings.event",
    ("priority_targets", "basis"): "codes.basis",
    ("initiative_kpis", "basis"): "codes.link_basis",
    ("city_sdg_coverage", "side_scope"): "codes.side_scope",
    **{("achievement_audit", f"{rule}_status"): f"rules.status.{rule}" for rule in ("progress", "ratio", "open_sdg", "un_cr")},
    **{("achievement_audit", f"{rule}_reason_code"): "rules.reason" for rule in ("progress", "ratio", "open_sdg", "un_cr")},
    ("achievement_audit", "rule"): "findings.classification.name",
    ("kpi_rule_results", "rule"): "rules.name",
    ("city_rule_summary", "rule"): "rules.name",
    ("kpi_rule_results", "tier"): "rules.tier",
    ("kpi_rule_results", "reason_code"): "rules.reason",
    ("published_rate_checks", "rule"): "rules.name",
    ("published_rate_checks", "agreement"): "achievement.agreement",
    ("kpi_ambition", "ambition_status"): "achievement.ambition_reason",
    ("data_quality_findings", "code"): "findings.code.name",
    ("initiatives", "level"): "profile.level",
    ("financing", "kind"): "profile.financing_kind",
    ("extraction_losses", "loss_kind"): "profile.loss_kind",
    ("extraction_losses", "table_name"): "codes.curated_table",
}


def null_key(group: str) -> str:
    """The key labelling a NULL code of a group: no status is "not evaluable", no reason code means the
    rule gave a value ("evaluated"); elsewhere <group>.none."""
    if group == "rules.tier" or group.startswith("rules.status."):
        return "rules.not_evaluable"
    if group == "rules.reason":
        return "rules.reason.evaluated"
    return f"{group}.{NONE_CODE}"


def _group(group: str) -> str:
    return group if "." in group else f"codes.{group}"

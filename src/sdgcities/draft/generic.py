"""What any document yields, whatever its form: named partners (organisations recognised by the way
Japanese names end: 株式会社, 大学, 協議会, 銀行 ...), dated agreements (`2019年5月 (株)D&I 「…」`) and
synergy paragraphs (●経済→環境 …, or a (経済→環境) heading followed by its text)."""

from __future__ import annotations

import re

from .cells import parse_cells
from .model import Draft, synergy_of
from .text import REDACTION, nfkc, squash

_NAME_CHARS = r"一-龥々〆ヵヶァ-ヴーｦ-ﾟA-Za-zＡ-Ｚａ-ｚ0-9０-９・&＆\.\-／/"
_PREFIX_FORMS = r"(?:株式会社|（株）|\(株\)|㈱|合同会社|有限会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人|特定非営利活動法人|NPO法人|ＮＰＯ法人|学校法人|国立大学法人|（一社）|\(一社\)|（公財）|\(公財\))"
_SUFFIXES = {
    "university": r"大学院?(?:[一-龥]{0,8}研究科)?|高等専門学校|工業高専|研究科",
    "financial": r"銀行|信用金庫|信用組合|金融公庫|政策金融公庫|証券|郵便局",
    "council": r"協議会|コンソーシアム|研究会|推進会議|会議所|商工会|協同組合|連合会|委員会|推進機構|都市圏|フォーラム|プラットフォーム",
    "government": r"省|[^\s]庁|内閣府|事務局|振興局|政府観光局",
    "npo": r"財団|社団",
    "company": r"株式会社|（株）|\(株\)|グループ|ホールディングス|電力|新聞社|製作所|工業",
    "other": r"研究所|機構|センター",
}
_SUFFIX = "|".join(f"(?:{v})" for v in _SUFFIXES.values())
_ORG = re.compile(
    rf"(?P<name>{_PREFIX_FORMS}\s*[{_NAME_CHARS}]{{1,30}}(?:{_SUFFIX})?|[{_NAME_CHARS}]{{1,30}}?(?:{_SUFFIX})(?:[{_NAME_CHARS}]{{0,12}}(?:支社|支店|研究科))?)"
)
_REDACTED_ORG = re.compile(rf"{_PREFIX_FORMS}\s*(?:{REDACTION.pattern})|(?:{REDACTION.pattern})\s*(?=と連携|との|と協働|と共同)")
_DATED = re.compile(r"^[\s\-・●○]*(?P<label>(?:19|20)[0-9]{2}\s*年\s*[0-9]{1,2}\s*月(?:\s*[0-9]{1,2}\s*日)?)(?=[\s(（])\s*\t?\s*(?P<names>[^「\t、。]+?)\s*[\t「:：]\s*(?P<role>.*)$")
# Words that end like an organisation but are not one.
_NOT_ORGS = re.compile(r"^(?:本市|当市|市|県|国|各|同|本|全|当|その他|関係|連携|庁内|地域|民間|市内|県内|域内|国内)+(?:省|庁|事務局|協議会|研究会|委員会|センター|グループ|会議|機構)?$")


def _category(match: re.Match) -> str:
    name = match.group("name").rstrip("・/／-.")
    if re.search(r"大学|高等専門学校|高専", name):
        return "university"
    if re.search(r"NPO法人|ＮＰＯ法人|特定非営利活動法人|一般社団法人|一般財団法人|公益|（一社）|\(一社\)", name):
        return "npo"
    for kind, pattern in _SUFFIXES.items():
        if re.search(f"(?:{pattern})(?:[{_NAME_CHARS}]{{0,12}}(?:支社|支店|研究科))?$", name):
            return kind
    if re.search(_PREFIX_FORMS, name):
        return "company"
    return "other"


def stakeholders(draft: Draft) -> None:
    doc = draft.document
    seen: set[str] = set()
    for line in doc.lines:
        text = line.text
        dated = _DATED.match(text)
        if dated:
            for part in re.finditer(r"[^／/]+", dated.group("names")):
                name = part.group(0).strip()
                if not name or squash(name) in seen:
                    continue
                seen.add(squash(name))
                match = _ORG.search(name)
                label = squash(dated.group("label"))
                draft.add(
                    "stakeholders", line.start, line.end, ["partner_key and category: check"],
                    stakeholder_id="", doc_id=draft.doc_id, name_ja=name, partner_key="",
                    category=_category(match) if match else "other", role_ja=dated.group("role").strip("「」 \t"),
                    agreed_on=_iso(label), agreed_on_label=label, is_redacted="false", note="",
                )
            continue
        for match in _ORG.finditer(text):
            name = match.group("name").strip("・/／-.")
            key = squash(nfkc(name))
            if len(key) < 3 or key in seen or _NOT_ORGS.match(key) or parse_cells(name, 0):
                continue
            seen.add(key)
            start = line.start + match.start()
            sentence_start = max(text.rfind("。", 0, match.start()) + 1, 0)
            sentence_end = text.find("。", match.end())
            sentence_end = len(text) if sentence_end < 0 else sentence_end + 1
            draft.add(
                "stakeholders", line.start + sentence_start, line.start + sentence_end,
                ["recognised from the name's ending: confirm it is a partner, set partner_key and category"],
                stakeholder_id="", doc_id=draft.doc_id, name_ja=name, partner_key="",
                category=_category(match), role_ja="", agreed_on="", agreed_on_label="", is_redacted="false", note="",
            )
            del start
        for match in _REDACTED_ORG.finditer(text):
            draft.add(
                "stakeholders", line.start + match.start(), line.start + match.end(),
                ["a redacted partner name: category and role from the context"],
                stakeholder_id="", doc_id=draft.doc_id, name_ja="", partner_key="", category="other",
                role_ja="", agreed_on="", agreed_on_label="", is_redacted="true", note="",
            )
    for number, row in enumerate(draft.tables["stakeholders"], 1):
        row["stakeholder_id"] = f"{draft.doc_id}:{number:02d}"
        row["partner_key"] = f"redacted_{number:02d}" if row["is_redacted"] == "true" else f"{draft.city}_partner_{number:02d}"


def _iso(label: str) -> str:
    match = re.match(r"((?:19|20)\d{2})年(\d{1,2})月(?:(\d{1,2})日)?", label)
    if not match:
        return ""
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")


def synergies(draft: Draft) -> None:
    """A direction (経済→環境 ...) opening a paragraph, or heading the paragraphs that follow it."""
    doc = draft.document
    kpis_by_direction: dict[tuple[str, str], str] = {}
    for kpi in draft.tables["kpis"]:
        if kpi.get("synergy_from"):
            kpis_by_direction.setdefault((kpi["synergy_from"], kpi["synergy_to"]), kpi["kpi_id"])
    lines = doc.lines
    for index, line in enumerate(lines):
        stripped = line.text.strip()
        direction = synergy_of(stripped)
        if not direction:
            continue
        heading_only = re.fullmatch(r"[(（【]?\s*(?:経済|社会|環境)\s*(?:→|⇒|->)\s*(?:経済|社会|環境)\s*[)）】]?", stripped)
        if not heading_only:
            if len(stripped) < 25:
                continue
            match = re.search(r"(?:経済|社会|環境)\s*(?:→|⇒|->)\s*(?:経済|社会|環境)\s*[)）】]?\s*", line.text)
            description = line.text[match.end() :].strip()
            start, end = line.start + max(line.text.find(stripped[0]), 0), line.end
        else:
            paragraph = _next_paragraph(lines, index + 1)
            if paragraph is None:
                continue
            start, end = paragraph
            description = doc.norm[start:end].strip()
        description = re.sub(r"^[-・\s]+", "", description)
        draft.add(
            "synergies", start, end, ["description: check it is the whole text of this direction"],
            synergy_id="", doc_id=draft.doc_id, from_side=direction[0], to_side=direction[1],
            description_ja=description, kpi_id=kpis_by_direction.get(direction, ""), note="",
        )
    for number, row in enumerate(draft.tables["synergies"], 1):
        row["synergy_id"] = f"{draft.doc_id}:{number:02d}"


def _next_paragraph(lines, index: int) -> tuple[int, int] | None:
    """The first narrative line after a heading, skipping the KPI table that may sit in between."""
    for line in lines[index : index + 12]:
        text = line.text.strip()
        if not text or "\t" in line.text or re.match(r"KPI|指\s*標|現在", text) or synergy_of(text):
            if synergy_of(text):
                return None
            continue
        if len(text) < 15:
            continue
        return line.start, line.end
    return None


def mark_repeats(draft: Draft) -> None:
    """A KPI row printed again with the same name and the same cells is a repeat even when not marked 再掲."""
    observations: dict[str, list] = {}
    for row in draft.tables["kpi_observations"]:
        observations.setdefault(row["kpi_id"], []).append((row["kind"], row["label"], row["value"], row["value_text"]))
    seen: dict[tuple, str] = {}
    for kpi in draft.tables["kpis"]:
        if not kpi["indicator_ja"]:
            continue
        signature = (squash(nfkc(kpi["indicator_ja"])), tuple(observations.get(kpi["kpi_id"], [])))
        if signature in seen and kpi["is_repeat"] != "true":
            kpi["is_repeat"] = "true"
            kpi["review"] = "; ".join(filter(None, [kpi["review"], f"same name and values as {seen[signature]}: marked as a repeat"]))
        seen.setdefault(signature, kpi["kpi_id"])

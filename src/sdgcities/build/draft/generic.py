"""What any document yields, whatever its form: named partners (organisations recognised by the way
Japanese names end: 株式会社, 大学, 協議会, 銀行 ...), dated agreements (`2019年5月 (株)D&I 「…」`) and
synergy paragraphs (●経済→環境 …, or a (経済→環境) heading followed by its text)."""

from __future__ import annotations

import re

from sdgcities.build.draft.cells import parse_cells
from sdgcities.build.draft.model import Draft, add_review, is_heading, known_targets, synergy_of
from sdgcities.build.draft.text import REDACTION, nfkc, sdg_targets, squash

_NAME_CHARS = r"一-龥々〆ヵヶァ-ヴーｦ-ﾟA-Za-zＡ-Ｚａ-ｚ0-9０-９・&＆\.\-／/"
_PREFIX_FORMS = r"(?:株式会社|（株）|\(株\)|㈱|合同会社|有限会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人|特定非営利活動法人|NPO法人|ＮＰＯ法人|学校法人|国立大学法人|（一社）|\(一社\)|（公財）|\(公財\))"
_SUFFIXES = {
    "university": r"大学院大学|大学(?:院[一-龥]{0,8}研究科)?|高等専門学校|工業高専|研究科",
    "financial": r"銀行|信用金庫|信用組合|金融公庫|政策金融公庫|証券|郵便局",
    "council": r"協議会|協会|コンソーシアム|研究会|推進会議|会議所|商工会|協同組合|連合会|委員会|推進機構|都市圏|会議",
    "government": r"省|庁(?![内舎])|内閣府|事務局|振興局|政府観光局",
    "npo": r"財団|社団",
    "company": r"株式会社|（株）|\(株\)|グループ|ホールディングス|新聞社|製作所",
    "other": r"研究所|機構",
}
_SUFFIX = "|".join(f"(?:{v})" for v in _SUFFIXES.values())
_EXTENSION = r"(?:[一-龥]{0,8}(?:支社|支店|青年部|支部))?(?:[(（][A-Za-zＡ-Ｚ]{2,8}[)）])?"
_ORG = re.compile(
    rf"(?P<name>{_PREFIX_FORMS}\s*[{_NAME_CHARS}]{{1,30}}(?:(?:{_SUFFIX}){_EXTENSION})?|[{_NAME_CHARS}]{{1,30}}(?:{_SUFFIX}){_EXTENSION})"
)
_BRACKETED = re.compile(rf"「(?P<name>[^「」。、]{{2,40}}?(?:{_SUFFIX})|{_PREFIX_FORMS}[^「」。、]{{1,30}})」")
_REDACTED_ORG = re.compile(rf"{_PREFIX_FORMS}\s*(?:{REDACTION.pattern})|(?:{REDACTION.pattern})\s*(?=と(?:[^。]{{0,40}})(?:連携|協定|協働|共同))")
_REDACTED_BULLET = re.compile(rf"^[\s\-・●○]*(?:{REDACTION.pattern})\s*$")
_PARTNER_SECTION = re.compile(r"ステークホルダー|連携|主体|パートナー")
_MUNICIPALITY = r"(?:[一-龥]{1,3}[都道府県])?(?:[一-龥々]{1,4}|[ぁ-ん]{2,4})[市町村]"
_MUNICIPALITY_LIST = re.compile(rf"{_MUNICIPALITY}(?:、{_MUNICIPALITY}){{1,}}")
# The event a dated line records, from its wording (the curation guide's closed list); agreement otherwise.
_EVENT_WORDS = (("設立", "founding"), ("発足", "founding"), ("選定", "selection"), ("採択", "adoption"),
                ("宣言", "declaration"), ("署名", "signature"), ("加入", "membership"), ("登録", "registration"))


def _event(text: str) -> str:
    return next((event for word, event in _EVENT_WORDS if word in text), "agreement")


_DATED = re.compile(r"^[\s\-・●○]*(?P<label>(?:19|20)[0-9]{2}\s*年\s*[0-9]{1,2}\s*月(?:\s*[0-9]{1,2}\s*日)?)(?=[\s(（])\s*\t?\s*(?P<names>[^「\t、。]+?)\s*[\t「:：]\s*(?P<role>.*)$")
# Names that end like an organisation but only name a kind of body ("the council", "partner universities").
_GENERIC_STEM = re.compile(r"^(?:本|各|同|当|全|県内|市内|域内|国内|包括|連携|推進|総合|関係|実行|地域|新|自治体)*$")


def _is_generic(name: str) -> bool:
    stem = re.sub(f"(?:{_SUFFIX})$", "", squash(nfkc(name)))
    return len(squash(name)) < 3 or bool(_GENERIC_STEM.match(stem))


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
    own = re.search(r"[一-龥ぁ-んァ-ヶ]{1,4}[市町村]", doc.norm[:300])
    own_city = own.group(0) if own else ""
    in_partner_section = False
    # Dated agreements first: one row per (partner, date), so a partner that signed twice has two rows.
    dated_seen: set[tuple[str, str]] = set()
    for line in doc.lines:
        dated = _DATED.match(line.text)
        if not dated:
            continue
        label = squash(dated.group("label"))
        for name in re.split(r"[／/、]|及び|および", dated.group("names")):
            name = name.strip()
            if not name or (squash(name), label) in dated_seen:
                continue
            dated_seen.add((squash(name), label))
            seen.add(squash(nfkc(name)))
            match = _ORG.search(name)
            draft.add(
                "stakeholders", line.start, line.end, ["partner_key, category, relation and theme: check",
                                                       "event: drafted as the date of an agreement; check the wording"],
                stakeholder_id="", doc_id=draft.doc_id, name_ja=name, partner_key="",
                category=_category(match) if match else "other", relation="partner",
                role_ja=dated.group("role").strip("「」 \t"), event=_event(line.text),
                event_on=_iso(label), event_on_label=label, is_redacted="false", note="", _position=line.start,
            )
    for line in doc.lines:
        text = line.text
        if is_heading(text):
            in_partner_section = bool(_PARTNER_SECTION.search(text))
        if _DATED.match(text):
            continue
        taken: list[tuple[int, int]] = []
        candidates = [(m.start("name"), m.end("name"), m.group("name")) for m in _BRACKETED.finditer(text)]
        candidates += [(m.start(), m.end(), m.group("name")) for m in _ORG.finditer(text)]
        for municipalities in _MUNICIPALITY_LIST.finditer(text):
            for part in re.finditer(r"[^、]+", municipalities.group(0)):
                name = re.sub(r"^[一-龥]{1,3}[都道府県](?=.{3,})", "", part.group(0))
                if name != own_city:
                    candidates.append((municipalities.start() + part.start(), municipalities.start() + part.end(), name))
        for begin, finish, name in candidates:
            name = name.strip("・/／-. ")
            key = squash(nfkc(name))
            if key in seen or _is_generic(name) or parse_cells(name, 0) or any(a <= begin and finish <= b for a, b in taken):
                continue
            seen.add(key)
            taken.append((begin, finish))
            sentence_start = max(text.rfind("。", 0, begin) + 1, 0)
            sentence_end = text.find("。", finish)
            sentence_end = len(text) if sentence_end < 0 else sentence_end + 1
            match = _ORG.search(name)
            category = _category(match) if match else ("government" if re.search("[都道府県市町村]$", name) else "other")
            draft.add(
                "stakeholders", line.start + sentence_start, line.start + sentence_end,
                ["recognised from the name's form: confirm it is a partner (relation), set partner_key, category and theme"],
                stakeholder_id="", doc_id=draft.doc_id, name_ja=name, partner_key="", relation="partner",
                category=category, role_ja="", event_on="", event_on_label="", is_redacted="false", note="",
                _position=line.start + begin,
            )
        if in_partner_section and _REDACTED_BULLET.match(text):
            draft.add(
                "stakeholders", line.start, line.end, ["a redacted partner in the partners' section"],
                stakeholder_id="", doc_id=draft.doc_id, name_ja="", partner_key="", category="other",
                relation="partner", role_ja="", event_on="", event_on_label="", is_redacted="true", note="", _position=line.start,
            )
            continue
        for match in _REDACTED_ORG.finditer(text):
            draft.add(
                "stakeholders", line.start + match.start(), line.start + match.end(),
                ["a redacted partner name: category and role from the context"],
                stakeholder_id="", doc_id=draft.doc_id, name_ja="", partner_key="", category="other",
                relation="partner", role_ja="", event_on="", event_on_label="", is_redacted="true", note="",
                _position=line.start + match.start(),
            )
    draft.tables["stakeholders"].sort(key=lambda row: row["_position"])  # printed order
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


_GOAL_TARGET_WORDS = re.compile(r"ゴール\s*(1[0-7]|[1-9])\s*(?:の)?\s*ターゲット\s*([0-9]{1,2}|[a-d])(?![0-9])")


def sdg_mentions(draft: Draft) -> None:
    """For a document outside the standard forms: the SDG targets it names (ゴール 7 ターゲット 2, 【7.2】, or
    a target number on a line that speaks of targets), as low-confidence priority targets."""
    seen: set[str] = set()
    for line in draft.document.lines:
        text = nfkc(line.text)
        found = [f"{g}.{t}" for g, t in _GOAL_TARGET_WORDS.findall(text)]
        for bracket in re.findall(r"【([^】]*)】", text):
            found += sdg_targets(bracket)
        if "ターゲット" in text:
            found += sdg_targets(text)
        for target in found:
            if target in seen or target not in known_targets():
                continue
            seen.add(target)
            draft.add(
                "priority_targets", line.start, line.end,
                ["an SDG target the text names: confirm it is one of the document's priority targets, and its side"],
                doc_id=draft.doc_id, side="", section="", sdg_goal=str(known_targets()[target]), sdg_target=target, basis="narrative", note="",
            )


def mark_repeats(draft: Draft) -> None:
    """A KPI row printed again with the same name and the same cells is a repeat even when not marked 再掲;
    printed again with other numbers, both printings are kept and flagged for a note."""
    observations: dict[str, list] = {}
    for row in draft.tables["kpi_observations"]:
        observations.setdefault(row["kpi_id"], []).append((row["kind"], row["label"], row["value"], row["value_text"]))
    seen: dict[tuple, str] = {}
    by_name: dict[str, dict] = {}
    for kpi in draft.tables["kpis"]:
        if not kpi["indicator_ja"]:
            continue
        name = squash(nfkc(kpi["indicator_ja"]))
        signature = (name, tuple(observations.get(kpi["kpi_id"], [])))
        if signature in seen and kpi["is_repeat"] != "true":
            kpi["is_repeat"] = "true"
            add_review(kpi, f"same name and values as {seen[signature]}: marked as a repeat")
        elif signature not in seen and name in by_name:
            first = by_name[name]
            add_review(kpi, f"printed again with other numbers in {first['kpi_id']}: keep both, record the conflict in note")
            add_review(first, f"printed again with other numbers in {kpi['kpi_id']}: keep both, record the conflict in note")
        seen.setdefault(signature, kpi["kpi_id"])
        by_name.setdefault(name, kpi)

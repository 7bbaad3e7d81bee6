"""Synthetic SDGs Future Cities for the scale benchmark.

    python bench/synth.py --cities N --seed S --out DIR [--overwrite]

writes a complete project root into DIR — data/raw (documents and manifests with their sha256),
data/curated (the real curated tables, the reference tables with the synthetic cities added, and
one folder of curated CSV files per synthetic document), sql/, notebooks/ and pyproject.toml copied
from this repository — holding the 3 real cities plus N - 3 synthetic ones (synth_0001 ...).

Each synthetic city has one generated, Japanese-looking document (a progress evaluation sheet,
a plan or a proposal) and its curation, written to the same rules as the real curation
(data/curated/CURATION_GUIDE.md): every source_quote is a verbatim substring of the document and
every printed value occurs in its quotes, so the real build (`python -m sdgcities.build` with
SDGCITIES_ROOT=DIR) validates and accepts it. The content is drawn from one random.Random(seed):
the same seed gives byte-identical files, another seed different ones.

What a synthetic city holds (sizes drawn per city):
- 5-20 KPI rows in per-side tables (economy / society / environment) and, when the city has
  synergies, an integrated table of synergy KPIs; each row printed as one tab-separated line
  `No  指標名【8.2,9.4】  2017年度 141 件  2021年度 208 件  2023年度 194 件  126%`;
  baselines, 0-3 yearly actuals, a target, a direction; some rows repeated (【再掲】) in a later
  table, some redacted ([REDACTED]), some with a text status; published rates (達成度) in progress
  sheets, mostly computed with the progress rule (a few with the ratio rule, a word or a typo);
- SDG targets drawn from data/curated/reference/sdg_targets.csv, skewed toward goals
  7, 8, 9, 11, 13 and 17 and toward each side's usual goals;
- 3-12 priority targets per side; 5-40 stakeholders with categories, some agreement dates and a
  pool of national partners shared between cities; 0-6 synergies (distinct directed side pairs).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sdgcities.build.inputs.parsing import parse_number
from sdgcities.build.inputs.row_counts import write_counts
from sdgcities.build.inputs.curated_content import CONTENT_TABLES

REPO = Path(__file__).resolve().parents[1]
MARKER = ".synth.json"

# ---------------------------------------------------------------------------------------------
# Column orders of the curated files (data/curated/CURATION_GUIDE.md)

KPI_HEADER = ("kpi_id", "doc_id", "section", "table_code", "row_no", "side", "synergy_from", "synergy_to", "indicator_ja",
              "indicator_key", "unit", "sdg_targets", "is_repeat", "direction", "status_text", "published_achievement",
              "is_redacted", "note", "source_quote")
OBSERVATION_HEADER = ("kpi_id", "kind", "label", "column_label", "value", "value_text", "is_redacted", "note", "source_quote")
PRIORITY_HEADER = ("doc_id", "side", "section", "sdg_goal", "sdg_target", "basis", "note", "source_quote")
STAKEHOLDER_HEADER = ("stakeholder_id", "doc_id", "name_ja", "partner_key", "category", "relation", "role_ja", "theme",
                      "event", "event_on", "event_on_label", "is_redacted", "note", "source_quote")
SYNERGY_HEADER = ("synergy_id", "doc_id", "from_side", "to_side", "description_ja", "kpi_id", "note", "source_quote")

SIDES = ("economy", "society", "environment")
SIDE_JA = {"economy": "経済", "society": "社会", "environment": "環境"}
SIDE_SLUG = {"economy": "econ", "society": "soc", "environment": "env"}

# Goals: the skew of the real selections (energy, work, industry, cities, climate, partnership), and
# the goals each side usually picks.
GOAL_WEIGHT = {g: (6.0 if g in (7, 8, 9, 11, 13, 17) else 1.0) for g in range(1, 18)}
SIDE_GOALS = {
    "economy": (8, 9, 12, 17, 2),
    "society": (3, 4, 5, 10, 11, 17, 1),
    "environment": (7, 13, 11, 12, 14, 15, 6),
}

# ---------------------------------------------------------------------------------------------
# Vocabulary. Indicators: (name, ascii slug, unit, direction, low, high, decimals, kind)
# kind: "count" (grows), "pct" (0-100), "signed" (may be negative, printed with ▲)

INDICATORS = {
    "economy": [
        ("企業立地件数", "business_locations", "件", "increase", 20, 300, 0, "count"),
        ("観光入込客数", "tourist_visits", "千人", "increase", 300, 9000, 0, "count"),
        ("新規創業件数", "startups", "件", "increase", 10, 200, 0, "count"),
        ("市内総生産", "gross_city_product", "億円", "increase", 1500, 40000, 0, "count"),
        ("販売農家1戸あたりの出荷額", "farm_shipment_value", "万円", "increase", 400, 2500, 0, "count"),
        ("スマート農業を導入した経営体数", "smart_farming_adopters", "経営体", "increase", 5, 120, 0, "count"),
        ("市内事業所の従業者数", "employees", "人", "increase", 8000, 160000, 0, "count"),
        ("ふるさと納税の寄附件数", "hometown_tax_donations", "件", "increase", 2000, 90000, 0, "count"),
        ("SDGs登録企業数", "sdgs_registered_firms", "社", "increase", 10, 400, 0, "count"),
        ("女性就業率", "female_employment_rate", "%", "increase", 40, 70, 1, "pct"),
        ("地元就職率", "local_job_placement_rate", "%", "increase", 20, 60, 1, "pct"),
        ("中心市街地の空き店舗数", "vacant_shops", "店舗", "decrease", 20, 180, 0, "count"),
        ("社会増減数", "net_migration", "人", "increase", -900, 300, 0, "signed"),
    ],
    "society": [
        ("地域活動に参加した市民の割合", "community_participation", "%", "increase", 25, 60, 1, "pct"),
        ("自ら健康づくりに取り組んでいる市民の割合", "self_health_promotion", "%", "increase", 45, 75, 1, "pct"),
        ("特定健康診査受診率", "health_checkup_rate", "%", "increase", 25, 55, 1, "pct"),
        ("待機児童数", "childcare_waiting_list", "人", "decrease", 5, 300, 0, "count"),
        ("市立図書館の利用者数", "library_users", "人", "increase", 50000, 900000, 0, "count"),
        ("高齢者の就業率", "elderly_employment_rate", "%", "increase", 15, 35, 1, "pct"),
        ("自主防災組織の結成率", "disaster_prevention_groups_rate", "%", "increase", 50, 95, 1, "pct"),
        ("デジタル窓口の利用件数", "digital_counter_uses", "件", "increase", 500, 60000, 0, "count"),
        ("放課後学習教室の参加者数", "after_school_learners", "人", "increase", 100, 5000, 0, "count"),
        ("交通事故死傷者数", "traffic_casualties", "人", "decrease", 150, 3000, 0, "count"),
        ("SDGsの認知度", "sdgs_awareness", "%", "increase", 30, 80, 1, "pct"),
        ("健康アプリの登録者数", "health_app_users", "人", "increase", 1000, 60000, 0, "count"),
    ],
    "environment": [
        ("温室効果ガス排出量", "ghg_emissions", "千t-CO2", "decrease", 300, 6000, 0, "count"),
        ("再生可能エネルギー導入量", "renewable_capacity", "kW", "increase", 5000, 400000, 0, "count"),
        ("市域のエネルギー消費量", "energy_use", "TJ", "decrease", 5000, 60000, 0, "count"),
        ("1人1日あたりのごみ排出量", "waste_per_capita", "g", "decrease", 700, 1100, 0, "count"),
        ("EV・FCVの導入台数", "ev_fcv_vehicles", "台", "increase", 50, 6000, 0, "count"),
        ("森林整備面積", "forest_management_area", "ha", "increase", 20, 900, 0, "count"),
        ("リサイクル率", "recycling_rate", "%", "increase", 12, 35, 1, "pct"),
        ("公共施設のLED化率", "public_led_rate", "%", "increase", 10, 70, 1, "pct"),
        ("地下水位の観測値", "groundwater_level", "m", "increase", 5, 40, 1, "count"),
        ("環境保全活動への参加者数", "conservation_volunteers", "人", "increase", 200, 20000, 0, "count"),
        ("ゼロカーボンドライブの実施件数", "zero_carbon_drives", "件", "increase", 10, 800, 0, "count"),
    ],
}

SYNERGY_INDICATORS = [
    ("EVを活用した防災訓練の参加者数", "ev_disaster_drill_participants", "人", "increase", 50, 3000, 0, "count"),
    ("脱炭素経営に取り組む企業数", "decarbonising_firms", "社", "increase", 5, 300, 0, "count"),
    ("地産地消エネルギーの供給量", "local_energy_supply", "MWh", "increase", 200, 90000, 0, "count"),
    ("産学連携による共同研究件数", "joint_research_projects", "件", "increase", 3, 90, 0, "count"),
    ("余熱利用施設の利用者数", "waste_heat_facility_users", "人", "increase", 20000, 200000, 0, "count"),
    ("エコツーリズム参加者数", "ecotourism_participants", "人", "increase", 100, 30000, 0, "count"),
    ("地域通貨の流通額", "local_currency_circulation", "万円", "increase", 300, 90000, 0, "count"),
    ("シェアサイクルの利用回数", "bike_share_trips", "回", "increase", 1000, 300000, 0, "count"),
]

STATUS_WORDS = ("未構築", "調査中", "集計中")

PREFECTURES = [
    ("北海道", "Hokkaido"), ("青森県", "Aomori"), ("岩手県", "Iwate"), ("宮城県", "Miyagi"), ("秋田県", "Akita"), ("山形県", "Yamagata"),
    ("福島県", "Fukushima"), ("茨城県", "Ibaraki"), ("栃木県", "Tochigi"), ("群馬県", "Gunma"), ("埼玉県", "Saitama"), ("千葉県", "Chiba"),
    ("東京都", "Tokyo"), ("神奈川県", "Kanagawa"), ("新潟県", "Niigata"), ("富山県", "Toyama"), ("石川県", "Ishikawa"), ("福井県", "Fukui"),
    ("山梨県", "Yamanashi"), ("長野県", "Nagano"), ("岐阜県", "Gifu"), ("静岡県", "Shizuoka"), ("愛知県", "Aichi"), ("三重県", "Mie"),
    ("滋賀県", "Shiga"), ("京都府", "Kyoto"), ("大阪府", "Osaka"), ("兵庫県", "Hyogo"), ("奈良県", "Nara"), ("和歌山県", "Wakayama"),
    ("鳥取県", "Tottori"), ("島根県", "Shimane"), ("岡山県", "Okayama"), ("広島県", "Hiroshima"), ("山口県", "Yamaguchi"), ("徳島県", "Tokushima"),
    ("香川県", "Kagawa"), ("愛媛県", "Ehime"), ("高知県", "Kochi"), ("福岡県", "Fukuoka"), ("佐賀県", "Saga"), ("長崎県", "Nagasaki"),
    ("熊本県", "Kumamoto"), ("大分県", "Oita"), ("宮崎県", "Miyazaki"), ("鹿児島県", "Kagoshima"), ("沖縄県", "Okinawa"),
]

# National partners shared by many cities (name, partner_key, category).
NATIONAL_PARTNERS = [
    ("日本マイクロソフト株式会社", "microsoft_japan", "company"), ("日本電気株式会社", "nec", "company"),
    ("株式会社日立製作所", "hitachi", "company"), ("富士通株式会社", "fujitsu", "company"),
    ("ソフトバンク株式会社", "softbank", "company"), ("KDDI株式会社", "kddi", "company"),
    ("トヨタ自動車株式会社", "toyota", "company"), ("日産自動車株式会社", "nissan", "company"),
    ("東京電力ホールディングス株式会社", "tepco", "company"), ("株式会社ローソン", "lawson", "company"),
    ("イオン株式会社", "aeon", "company"), ("損害保険ジャパン株式会社", "sompo_japan", "company"),
    ("日本郵便株式会社", "japan_post", "company"), ("株式会社三井住友銀行", "smbc", "financial"),
    ("株式会社日本政策投資銀行", "development_bank_of_japan", "financial"), ("株式会社みずほ銀行", "mizuho_bank", "financial"),
    ("東京大学", "university_of_tokyo", "university"), ("慶應義塾大学", "keio_university", "university"),
    ("東北大学", "tohoku_university", "university"), ("九州大学", "kyushu_university", "university"),
    ("内閣府", "cabinet_office", "government"), ("環境省", "ministry_of_the_environment", "government"),
    ("国土交通省", "mlit", "government"), ("経済産業省", "meti", "government"),
    ("地方創生SDGs官民連携プラットフォーム", "local_sdgs_public_private_platform", "council"),
    ("世界首長誓約／日本", "global_covenant_of_mayors_japan", "council"),
    ("国連開発計画（UNDP）", "undp", "overseas"), ("経済協力開発機構（OECD）", "oecd", "overseas"),
    ("一般社団法人スマートシティ・インスティテュート", "smart_city_institute", "npo"),
]

KATAKANA_STEMS = ("ミドリ", "アオバ", "ヒカリ", "サクラ", "ミナト", "ヤマト", "カエデ", "ツバサ", "ハルカ", "イズミ", "スバル", "アサヒ")
COMPANY_SUFFIXES = ("テック", "エナジー", "モビリティ", "ヘルスケア", "アグリ", "ネットワークス", "ソリューションズ", "ホーム", "ロジスティクス", "フーズ")
OVERSEAS_CITIES = (("ポートランド市（米国）", "portland"), ("フライブルク市（ドイツ）", "freiburg"), ("ヘルシンキ市（フィンランド）", "helsinki"),
                   ("ビクトリア市（カナダ）", "victoria"), ("オーフス市（デンマーク）", "aarhus"), ("台南市（台湾）", "tainan"))
THEMES = ("スマートシティの推進", "脱炭素社会の実現", "健康づくりの推進", "防災・減災", "地域経済の活性化", "デジタル人材の育成",
          "再生可能エネルギーの導入促進", "SDGsの普及啓発", "子育て支援", "観光振興", "地域公共交通の維持", "食品ロスの削減",
          "EVを活用した災害時の電力確保", "高齢者の見守り", "森林資源の循環利用")
CATEGORY_JA = {"company": "企業", "university": "大学", "financial": "金融機関", "npo": "NPO", "council": "協議会",
               "government": "行政", "overseas": "海外", "other": "その他"}
CATEGORY_WEIGHTS = (("company", 35), ("council", 15), ("government", 15), ("university", 10), ("financial", 10),
                    ("npo", 8), ("overseas", 3), ("other", 4))

FILLER = (
    "本市は、{pref}の{where}に位置し、豊かな自然環境と歴史ある産業を有する都市である。",
    "人口減少と少子高齢化が進む中、{theme}に向けた取組を市民、企業、大学と連携して進めている。",
    "2030年のあるべき姿として、誰一人取り残さない持続可能なまちの実現を掲げる。",
    "経済・社会・環境の三側面の取組を統合的に推進し、相乗効果の創出を図る。",
    "{theme}については、官民連携のプラットフォームを活用し、地域課題の解決を目指す。",
    "進捗は毎年度評価し、結果を市のホームページで公表する。",
    "KPIの一部は統計の公表時期の関係で前年度の数値を用いている。",
)
WHERE = ("北部", "南部", "東部", "西部", "中央部", "沿岸部", "内陸部")

ERA_START = (("令和", 2019), ("平成", 1989))


# ---------------------------------------------------------------------------------------------
# Helpers


def fiscal_label(year: int, era: bool) -> str:
    """`2021年度`, or in era style `令和3年度` (2019 is 令和元年度, earlier years 平成)."""
    if not era:
        return f"{year}年度"
    for name, start in ERA_START:
        if year >= start:
            number = year - start + 1
            return f"{name}{'元' if number == 1 else number}年度"
    raise ValueError(year)


def fmt_number(value: float, decimals: int, kind: str) -> str:
    """A number as a document prints it: thousands separators, one decimal for rates, ▲ for minus."""
    text = f"{abs(value):,.{decimals}f}"
    if value < 0:
        return ("▲" if kind == "signed" else "-") + text
    return text


def prefecture_stem(name: str) -> str:
    """熊本県 -> 熊本, 東京都 -> 東京; 北海道 stays whole."""
    return name[:-1] if name[-1] in "都府県" else name


def weighted_choice(rng: random.Random, items: list, weights: list[float]):
    return rng.choices(items, weights=weights, k=1)[0]


def target_sort_key(target: str) -> tuple[int, int, str]:
    goal, tail = target.split(".", 1)
    return (int(goal), int(tail), "") if tail.isdigit() else (int(goal), 1000, tail)


def csv_text(header: tuple[str, ...], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in header])
    return buffer.getvalue()


def b(flag: bool) -> str:
    return "true" if flag else "false"


@dataclass
class Reference:
    goals: dict[int, str]  # goal -> name_ja
    targets_by_goal: dict[int, list[str]]

    @classmethod
    def load(cls, reference_dir: Path) -> "Reference":
        with open(reference_dir / "sdg_goals.csv", encoding="utf-8", newline="") as f:
            goals = {int(r["goal"]): r["name_ja"] for r in csv.DictReader(f)}
        targets: dict[int, list[str]] = {}
        with open(reference_dir / "sdg_targets.csv", encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                targets.setdefault(int(r["goal"]), []).append(r["target"])
        return cls(goals, {g: sorted(t, key=target_sort_key) for g, t in targets.items()})

    def draw_goal(self, rng: random.Random, side: str | None) -> int:
        goals = sorted(self.targets_by_goal)
        weights = [GOAL_WEIGHT[g] * (3.0 if side and g in SIDE_GOALS[side] else 1.0) for g in goals]
        return weighted_choice(rng, goals, weights)

    def draw_target(self, rng: random.Random, side: str | None) -> str:
        return rng.choice(self.targets_by_goal[self.draw_goal(rng, side)])


# ---------------------------------------------------------------------------------------------
# One synthetic city


@dataclass
class City:
    number: int
    city_id: str
    name_ja: str
    name_en: str
    prefecture_ja: str
    prefecture_en: str
    doc_id: str = ""
    doc_type: str = ""
    lines: list[str] = field(default_factory=list)
    kpis: list[dict] = field(default_factory=list)
    observations: list[dict] = field(default_factory=list)
    priority_targets: list[dict] = field(default_factory=list)
    stakeholders: list[dict] = field(default_factory=list)
    synergies: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class CityWriter:
    """Generates one city's document text and, in step, its curated rows (quotes taken from the text)."""

    def __init__(self, rng: random.Random, ref: Reference, number: int):
        self.rng = rng
        self.ref = ref
        pref_ja, pref_en = rng.choice(PREFECTURES)
        self.city = City(number, f"synth_{number:04d}", f"合成市{number:04d}", f"Synth City {number:04d}", pref_ja, pref_en)
        c = self.city
        # Document kind: most are progress sheets (actuals and rates), the rest plans or proposals.
        c.doc_type = weighted_choice(rng, ["progress_evaluation", "plan", "proposal"], [0.55, 0.3, 0.15])
        self.year = rng.randint(2021, 2025)  # publication year
        c.doc_id = f"{c.city_id}_{ {'progress_evaluation': 'progress', 'plan': 'plan', 'proposal': 'proposal'}[c.doc_type]}_{self.year}"
        self.era = rng.random() < 0.2  # 令和 labels instead of western years
        self.redaction_prone = c.doc_type == "proposal" or rng.random() < 0.1
        self.has_actuals = c.doc_type == "progress_evaluation"
        self.theme = rng.choice(THEMES)
        self.side_priorities: dict[str, list[str]] = {}
        self.indicator_slugs: set[str] = set()

    # -- text helpers -------------------------------------------------------------------------
    def add(self, line: str = "") -> str:
        self.city.lines.append(line)
        return line

    def filler(self, n: int) -> None:
        c = self.city
        sentences = [self.rng.choice(FILLER).format(pref=c.prefecture_ja, where=self.rng.choice(WHERE), theme=self.rng.choice(THEMES))
                     for _ in range(n)]
        self.add("".join(sentences))

    # -- sections -------------------------------------------------------------------------------
    def generate(self) -> City:
        rng, c = self.rng, self.city
        title = {"progress_evaluation": "SDGs未来都市等進捗評価シート", "plan": "SDGs未来都市計画", "proposal": "SDGs未来都市等提案書"}[c.doc_type]
        self.title = f"{c.name_ja} {title}（合成データ）"
        self.add(self.title)
        self.add(f"{self.year}年{rng.randint(1, 12)}月")
        self.add(f"{c.prefecture_ja}{c.name_ja}")
        self.add()
        self.add("1. 全体計画")
        self.add("(1) 地域の実態")
        self.filler(rng.randint(3, 6))
        self.add()
        self.add("(2) 2030年のあるべき姿")
        self.filler(rng.randint(2, 5))
        self.add()
        self.priority_section()
        n_synergies = weighted_choice(rng, list(range(7)), [0.15, 0.1, 0.15, 0.15, 0.15, 0.1, 0.2])
        pairs = [(a, b) for a in SIDES for b in SIDES if a != b]
        synergy_pairs = sorted(rng.sample(pairs, n_synergies), key=pairs.index)
        self.kpi_section(synergy_pairs)
        self.synergy_section(synergy_pairs)
        self.stakeholder_section()
        self.add()
        self.add("以上")
        return c

    def priority_section(self) -> None:
        rng, c = self.rng, self.city
        section = "(3) 2030年のあるべき姿の実現に向けた優先的なゴール、ターゲット"
        self.add(section)
        for index, side in enumerate(SIDES, start=1):
            self.add(f"{'①②③'[index - 1]} {SIDE_JA[side]}面")
            wanted = rng.randint(3, 12)
            chosen: list[tuple[int, str | None]] = []
            attempts = 0
            while len(chosen) < wanted and attempts < 200:
                attempts += 1
                goal = self.ref.draw_goal(rng, side)
                entry = (goal, None) if rng.random() < 0.08 else (goal, rng.choice(self.ref.targets_by_goal[goal]))
                if entry not in chosen:
                    chosen.append(entry)
            chosen.sort(key=lambda e: (e[0], target_sort_key(e[1]) if e[1] else (0, 0, "")))
            self.side_priorities[side] = [t for _, t in chosen if t]
            for goal, target in chosen:
                if target:
                    line = self.add(f"・ゴール{goal}（{self.ref.goals[goal]}） ターゲット {target}")
                else:
                    # The side is printed with a goal-level entry: the same goal may be listed under
                    # several sides, and a quote must say which entry it is.
                    line = self.add(f"・ゴール{goal}（{self.ref.goals[goal]}）{SIDE_JA[side]}面")
                c.priority_targets.append({
                    "doc_id": c.doc_id, "side": side, "section": section, "sdg_goal": str(goal), "sdg_target": target,
                    "basis": "priority_list", "note": None if target else "goal-level entry (no target printed)", "source_quote": line,
                })
        self.add()

    def draw_kpi_targets(self, side: str | None) -> list[str]:
        rng = self.rng
        n = weighted_choice(rng, [1, 2, 3, 4], [0.4, 0.3, 0.2, 0.1])
        pool = self.side_priorities.get(side, []) if side else []
        targets: list[str] = []
        for _ in range(n * 3):
            if len(targets) == n:
                break
            t = rng.choice(pool) if pool and rng.random() < 0.6 else self.ref.draw_target(rng, side)
            if t not in targets:
                targets.append(t)
        return sorted(targets, key=target_sort_key)

    def kpi_section(self, synergy_pairs: list[tuple[str, str]]) -> None:
        rng, c = self.rng, self.city
        heading = ("(4) 2030年のあるべき姿の実現へ向けた取組の達成状況" if self.has_actuals
                   else "2.1 (1) 課題・目標設定と取組の概要")
        self.add(heading)
        total = rng.randint(5, 20)
        n_synergy_kpis = sum(1 for _ in synergy_pairs if rng.random() < 0.7)
        n_side = max(total - n_synergy_kpis, 3)
        counts = {s: 1 for s in SIDES}
        for _ in range(n_side - 3):
            counts[rng.choice(SIDES)] += 1
        # Table years: a baseline around 2015-2020, actual columns up to the year before publication.
        self.actual_years = list(range(self.year - 3, self.year)) if self.has_actuals else []
        self.target_year = rng.choice([2024, 2025, 2026, 2027, 2030])
        printed: list[dict] = []  # KPI rows already printed (candidates for 再掲)
        for index, side in enumerate(SIDES, start=1):
            section = f"{heading} {'①②③'[index - 1]} {SIDE_JA[side]}面の取組"
            table_code = f"{SIDE_SLUG[side]}"
            self.add(f"{'①②③'[index - 1]} {SIDE_JA[side]}面の取組")
            self.table_header()
            row_no = 0
            for _ in range(counts[side]):
                row_no += 1
                spec = self.pick_indicator(INDICATORS[side])
                printed.append(self.kpi_row(section, table_code, row_no, side, None, spec))
            # Now and then a KPI of an earlier table is printed again, marked 【再掲】.
            earlier = [k for k in printed if k["side"] != side and not k["is_redacted"] and not k["is_repeat"]]
            if earlier and rng.random() < 0.25:
                row_no += 1
                self.repeat_row(section, table_code, row_no, side, rng.choice(earlier))
            self.add()
        self.synergy_kpis: dict[tuple[str, str], str] = {}
        with_kpi = [p for p in synergy_pairs][:n_synergy_kpis]
        if with_kpi:
            section = f"{heading} ④ 三側面をつなぐ統合的取組"
            self.add("④ 三側面をつなぐ統合的取組")
            self.table_header(synergy=True)
            for row_no, (a, b_) in enumerate(with_kpi, start=1):
                spec = self.pick_indicator(SYNERGY_INDICATORS)
                kpi = self.kpi_row(section, "integrated", row_no, "integrated", (a, b_), spec)
                self.synergy_kpis[(a, b_)] = kpi["kpi_id"]
            self.add()

    def table_header(self, synergy: bool = False) -> None:
        cells = ["No"] + (["相乗効果"] if synergy else []) + ["指標名【ゴール・ターゲット番号】", "当初値"]
        cells += [f"{fiscal_label(y, self.era)}（実績）" for y in self.actual_years]
        cells += [f"目標値（{fiscal_label(self.target_year, self.era)}）"]
        if self.has_actuals:
            cells.append("達成度")
        self.add("\t".join(cells))

    def pick_indicator(self, pool: list[tuple]) -> tuple:
        free = [spec for spec in pool if spec[1] not in self.indicator_slugs]
        spec = self.rng.choice(free or pool)
        if spec[1] in self.indicator_slugs:  # the pool is exhausted: a variant of the name
            n = 2
            while f"{spec[1]}_{n}" in self.indicator_slugs:
                n += 1
            spec = (f"{spec[0]}（第{n}区分）", f"{spec[1]}_{n}") + spec[2:]
        self.indicator_slugs.add(spec[1])
        return spec

    def values_for(self, spec: tuple) -> tuple[float, list[float], float]:
        """Baseline, actuals (in time order) and target, rounded as printed."""
        rng = self.rng
        _, _, _, direction, low, high, decimals, kind = spec
        scale = 10 ** decimals
        rnd = lambda v: round(v * scale) / scale  # noqa: E731
        for _ in range(100):
            if kind == "signed":
                base = rnd(rng.uniform(low, high))
                target = rnd(base + rng.uniform(50, 400))
            else:
                base = rnd(math.exp(rng.uniform(math.log(max(low, 0.5)), math.log(high))))
                if kind == "pct":
                    base = min(base, 95.0)
                    step = rng.uniform(3, 25)
                    target = rnd(min(base + step, 100.0)) if direction == "increase" else rnd(max(base - step, 0.5))
                else:
                    factor = rng.uniform(1.05, 1.8)
                    target = rnd(base * factor) if direction == "increase" else rnd(base / factor)
            if rng.random() < 0.04:  # a target on the wrong side of the baseline (a cap already met, or a slip)
                target = rnd(base - (target - base) * 0.3)
                if kind == "pct":
                    target = min(max(target, 0.0), 100.0)
            if target != base and (kind == "signed" or target >= 0):
                break
        actuals = []
        n_actuals = len(self.actual_years) if self.has_actuals else 0
        if n_actuals:
            n_actuals = weighted_choice(self.rng, list(range(n_actuals + 1)), [0.1] + [0.9 / n_actuals] * n_actuals)
        progress = rng.uniform(-0.4, 0.5)
        for _ in range(n_actuals):
            progress += rng.uniform(-0.15, 0.45)
            value = rnd(base + (target - base) * progress)
            if kind != "signed":
                value = max(value, 0.0)
            if kind == "pct":
                value = min(value, 100.0)
            actuals.append(value)
        return base, actuals, target

    def kpi_row(self, section: str, table_code: str, row_no: int, side: str, pair: tuple[str, str] | None, spec: tuple) -> dict:
        rng, c = self.rng, self.city
        name, slug, unit, direction, _, _, decimals, kind = spec
        kpi_id = f"{c.doc_id}:{table_code}:{row_no:02d}"
        targets = self.draw_kpi_targets(pair[0] if pair else side)
        redaction = None
        if self.redaction_prone and rng.random() < 0.15:
            redaction = "full" if rng.random() < 0.6 else "values"
        base, actuals, target = self.values_for(spec)
        base_year = rng.randint(2015, min(2020, self.actual_years[0] if self.actual_years else 2020))
        target_year = self.target_year if rng.random() < 0.9 else rng.choice([2025, 2030])
        shown_name = "[REDACTED]" if redaction == "full" else name
        cells: list[tuple[str, str, str | None, str | None, float | None]] = []  # (kind, label, column_label, printed value, value)
        cells.append(("baseline", fiscal_label(base_year, self.era), "当初値", fmt_number(base, decimals, kind), base))
        for year, value in zip(self.actual_years, actuals):
            cells.append(("actual", fiscal_label(year, self.era), f"{fiscal_label(year, self.era)}（実績）", fmt_number(value, decimals, kind), value))
        cells.append(("target", fiscal_label(target_year, self.era), f"目標値（{fiscal_label(self.target_year, self.era)}）", fmt_number(target, decimals, kind), target))
        # A text status instead of the latest actual, now and then.
        status_text = None
        if self.has_actuals and not redaction and len(actuals) >= 1 and rng.random() < 0.04:
            status_text = rng.choice(STATUS_WORDS)
            last = max(i for i, cell in enumerate(cells) if cell[0] == "actual")
            kind_, label, column_label, _, _ = cells[last]
            cells[last] = (kind_, label, column_label, None, None)
            actuals = actuals[:-1]
        cell_texts = []
        for kind_, label, column_label, printed, _ in cells:
            if redaction:
                cell_texts.append(f"{label} [REDACTED]")
            elif printed is None:
                cell_texts.append(f"{label} {status_text}")
            else:
                cell_texts.append(f"{label} {printed} {unit}")
        published = None
        rate_cell = None
        note_parts = []
        if self.has_actuals:
            if actuals and not redaction:
                published, why = self.published_rate(base, actuals[-1], target, direction)
                if why:
                    note_parts.append(why)
                rate_cell = f"{published}%" if published.lstrip("-").isdigit() else published
            else:
                rate_cell = "－"
        head = [str(row_no)] + ([f"{SIDE_JA[pair[0]]}→{SIDE_JA[pair[1]]}"] if pair else [])
        line = "\t".join(head + [f"{shown_name}【{','.join(targets)}】"] + cell_texts + ([rate_cell] if rate_cell else []))
        self.add(line)
        key = f"{c.city_id}.redacted_{table_code}_{row_no}" if redaction == "full" else f"{c.city_id}.{slug}"
        kpi = {
            "kpi_id": kpi_id, "doc_id": c.doc_id, "section": section, "table_code": table_code, "row_no": str(row_no),
            "side": side, "synergy_from": pair[0] if pair else None, "synergy_to": pair[1] if pair else None,
            "indicator_ja": None if redaction == "full" else name, "indicator_key": key, "unit": None if redaction == "full" else unit,
            "sdg_targets": ";".join(targets), "is_repeat": b(False), "direction": None if redaction == "full" else direction,
            "status_text": status_text, "published_achievement": published, "is_redacted": b(bool(redaction)),
            "note": "; ".join(note_parts) or ("indicator and values redacted" if redaction == "full" else "values redacted" if redaction else None),
            "source_quote": line,
            # private: for 再掲 rows
            "_spec": spec, "_targets": targets, "_cells": cells, "_cell_texts": cell_texts, "_rate_cell": rate_cell,
            "_published": published,
        }
        c.kpis.append(kpi)
        for (kind_, label, column_label, printed, _), text in zip(cells, cell_texts):
            c.observations.append({
                "kpi_id": kpi_id, "kind": kind_, "label": label, "column_label": column_label,
                "value": None if redaction else printed, "value_text": status_text if printed is None and not redaction else None,
                "is_redacted": b(bool(redaction)), "note": None, "source_quote": text,
            })
        return kpi

    def repeat_row(self, section: str, table_code: str, row_no: int, side: str, original: dict) -> None:
        """The same KPI printed again in this table, marked 【再掲】, with the same cells."""
        c = self.city
        kpi_id = f"{c.doc_id}:{table_code}:{row_no:02d}"
        name = original["indicator_ja"]
        line = "\t".join([str(row_no), f"{name}【{','.join(original['_targets'])}】【再掲】"] + original["_cell_texts"]
                         + ([original["_rate_cell"]] if original["_rate_cell"] else []))
        self.add(line)
        kpi = {k: v for k, v in original.items() if not k.startswith("_")}
        kpi.update({"kpi_id": kpi_id, "section": section, "table_code": table_code, "row_no": str(row_no), "side": side,
                    "is_repeat": b(True), "note": f"Marked 【再掲】 (repeat of {original['kpi_id']}).", "source_quote": line})
        c.kpis.append(kpi)
        for (kind_, label, column_label, printed, _), text in zip(original["_cells"], original["_cell_texts"]):
            c.observations.append({
                "kpi_id": kpi_id, "kind": kind_, "label": label, "column_label": column_label, "value": printed,
                "value_text": original["status_text"] if printed is None else None, "is_redacted": b(False), "note": None,
                "source_quote": text,
            })

    def published_rate(self, base: float, actual: float, target: float, direction: str) -> tuple[str, str | None]:
        """The 達成度 cell: mostly the progress rule, sometimes the ratio rule, a word, or a typo."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.04:
            return "達成" if (actual >= target if direction == "increase" else actual <= target) else "未達成", "rate printed as a word"
        if roll < 0.14 and actual > 0 and target > 0:
            ratio = target / actual * 100 if direction == "decrease" else actual / target * 100
            return str(round(ratio)), "rate computed by the publisher as actual/target (ratio rule)"
        if roll < 0.18:
            return str(rng.randint(-150, 250)), "published rate not reproducible from the printed values"
        value = (actual - base) / (target - base) * 100
        return str(round(value)), None

    def synergy_section(self, pairs: list[tuple[str, str]]) -> None:
        rng, c = self.rng, self.city
        if not pairs:
            return
        self.add("(5) 三側面をつなぐ統合的取組による相乗効果")
        actions = ("EVの導入促進", "地域エネルギー会社の設立", "健康アプリの運用", "産学連携の強化", "空き家の利活用", "地域通貨の導入",
                   "森林資源の循環利用", "シェアサイクルの整備", "スマート農業の実証", "余熱利用施設の運営")
        effects = {"economy": "新産業の創出と雇用の確保", "society": "地域コミュニティの活性化と健康増進", "environment": "温室効果ガスの排出量削減"}
        for number, (a, b_) in enumerate(pairs, start=1):
            description = (f"{SIDE_JA[a]}面での{rng.choice(actions)}を通じて、{rng.choice(THEMES)}を進めることで、"
                           f"{SIDE_JA[b_]}面における{effects[b_]}を図る。")
            line = self.add(f"●{SIDE_JA[a]}→{SIDE_JA[b_]} {description}")
            c.synergies.append({
                "synergy_id": f"{c.doc_id}:{number:02d}", "doc_id": c.doc_id, "from_side": a, "to_side": b_,
                "description_ja": description, "kpi_id": self.synergy_kpis.get((a, b_)), "note": None, "source_quote": line,
            })
        self.add()

    def stakeholder_section(self) -> None:
        rng, c = self.rng, self.city
        self.add("(6) ステークホルダーとの連携")
        self.add("No\t連携先\t区分\t連携内容\t協定締結日")
        n = rng.randint(5, 40)
        used_keys: set[str] = set()
        local = c.city_id
        for number in range(1, n + 1):
            for _ in range(50):
                if rng.random() < 0.25:
                    name, key, category = rng.choice(NATIONAL_PARTNERS)
                else:
                    category = weighted_choice(rng, [k for k, _ in CATEGORY_WEIGHTS], [w for _, w in CATEGORY_WEIGHTS])
                    name, key = self.local_partner(category, local)
                if key not in used_keys:
                    break
            used_keys.add(key)
            redacted = self.redaction_prone and rng.random() < 0.08
            role = f"{rng.choice(['包括連携協定', '連携協定', '共同研究', '実証事業', '協議会への参画'])}：{rng.choice(THEMES)}"
            agreed_on = label = None
            if rng.random() < 0.45:
                year, month, day = rng.randint(2015, self.year), rng.randint(1, 12), rng.randint(1, 28)
                if rng.random() < 0.7:
                    agreed_on, label = f"{year:04d}-{month:02d}-{day:02d}", f"{year}年{month}月{day}日"
                else:
                    agreed_on, label = f"{year:04d}-{month:02d}", f"{year}年{month}月"
            shown = "[REDACTED]" if redacted else name
            line = self.add("\t".join([str(number), shown, CATEGORY_JA[category], role, label or "－"]))
            c.stakeholders.append({
                "stakeholder_id": f"{c.doc_id}:{number:02d}", "doc_id": c.doc_id, "name_ja": None if redacted else name,
                "partner_key": f"redacted_{number:02d}" if redacted else key, "category": category, "relation": "partner",
                "role_ja": role, "theme": None, "event": "agreement" if agreed_on else None, "event_on": agreed_on,
                "event_on_label": label, "is_redacted": b(redacted),
                "note": "name redacted in the document" if redacted else None, "source_quote": line,
            })

    def local_partner(self, category: str, local: str) -> tuple[str, str]:
        rng, c = self.rng, self.city
        short = c.name_ja.removesuffix("市")
        if category == "company":
            i, j = rng.randrange(len(KATAKANA_STEMS)), rng.randrange(len(COMPANY_SUFFIXES))
            return f"株式会社{KATAKANA_STEMS[i]}{COMPANY_SUFFIXES[j]}", f"{local}_company_{i:02d}_{j:02d}"
        if category == "university":
            kind = rng.randrange(3)
            stem = prefecture_stem(c.prefecture_ja)
            names = (f"{stem}大学", f"{stem}県立大学", f"{stem}工業高等専門学校")
            keys = ("university", "prefectural_university", "kosen")
            return names[kind], f"{c.prefecture_en.lower()}_{keys[kind]}"
        if category == "financial":
            kind = rng.randrange(3)
            return [f"{short}信用金庫", f"{prefecture_stem(c.prefecture_ja)}銀行", f"{short}農業協同組合"][kind], f"{local}_{['shinkin', 'regional_bank', 'ja'][kind]}"
        if category == "npo":
            kind = rng.randrange(3)
            return [f"NPO法人{short}まちづくりネット", f"一般社団法人{short}観光推進機構", f"NPO法人{short}子育て支援センター"][kind], f"{local}_npo_{kind}"
        if category == "council":
            kind = rng.randrange(3)
            return [f"{c.name_ja}SDGs推進協議会", f"{c.name_ja}スマートシティ推進官民連携協議会", f"{c.name_ja}脱炭素コンソーシアム"][kind], f"{local}_council_{kind}"
        if category == "government":
            if rng.random() < 0.5:
                return c.prefecture_ja, f"{c.prefecture_en.lower()}_prefecture"
            i = rng.randrange(len(KATAKANA_STEMS))
            return f"{KATAKANA_STEMS[i]}町", f"{local}_neighbour_town_{i:02d}"
        if category == "overseas":
            name, key = rng.choice(OVERSEAS_CITIES)
            return name, f"{key}_city"
        kind = rng.randrange(3)
        return [f"{c.name_ja}商工会議所", f"{c.name_ja}観光協会", f"{c.name_ja}社会福祉協議会"][kind], f"{local}_other_{kind}"


# ---------------------------------------------------------------------------------------------
# Writing the root


def manifest_for(city: City, writer: CityWriter, file_name: str, sha256: str, seed: int) -> dict:
    titles_en = {"progress_evaluation": "SDGs Future City progress evaluation sheet", "plan": "SDGs Future City plan",
                 "proposal": "SDGs Future City proposal"}
    month = writer.city.lines[1].split("年", 1)[1].rstrip("月")
    return {
        "doc_id": city.doc_id, "city_id": city.city_id, "file": file_name, "original_filename": file_name,
        "title_ja": writer.title, "title_en": f"{city.name_en} {titles_en[city.doc_type]} (synthetic)",
        "publisher": f"{city.name_ja} ({city.name_en}, {city.prefecture_en})", "published_label": writer.city.lines[1],
        "published_on": f"{writer.year:04d}-{int(month):02d}", "doc_type": city.doc_type,
        "covers": "Synthetic benchmark document: KPI tables per side, priority goals and targets, synergies, stakeholders.",
        "format": "Plain text generated by bench/synth.py (tables as tab-separated lines).",
        "source": f"Synthetic, generated by bench/synth.py with seed {seed}; not a real city.",
        "licence": "Synthetic data generated for benchmarking; no rights reserved.",
        "sha256": sha256,
    }


def direction_exceptions(city: "City") -> list[dict]:
    """Declare the targets generated on the wrong side of their baseline, as a curator declares the
    real ones (data/curated/<doc_id>/declared_exceptions.yaml), so that the build accepts them."""
    ends = {(o["kpi_id"], o["kind"]): parse_number(o["value"]) for o in city.observations
            if o["kind"] in ("baseline", "target") and o["value"] is not None}
    declared = []
    for kpi in city.kpis:
        base, target = ends.get((kpi["kpi_id"], "baseline")), ends.get((kpi["kpi_id"], "target"))
        if kpi["direction"] and base is not None and target is not None:
            if not (target > base if kpi["direction"] == "increase" else target < base):
                declared.append({"rule": "direction_against_values", "row": kpi["kpi_id"],
                                 "reason": "synthetic: target generated on the wrong side of its baseline (a cap already met, or a slip)"})
    return declared


def copy_repository_parts(out: Path, source: Path = REPO) -> None:
    """The real inputs and the parts of the repository the pipeline reads (from `source`, a checkout
    or a snapshot of one)."""
    (out / "data").mkdir(parents=True)
    shutil.copytree(source / "data" / "raw", out / "data" / "raw")
    shutil.copytree(source / "data" / "curated", out / "data" / "curated",
                    ignore=shutil.ignore_patterns("*.duckdb", "*.duckdb.*", "*.tmp-*"))
    shutil.copytree(source / "sql", out / "sql")
    notebooks = source / "notebooks"
    if notebooks.is_dir():
        shutil.copytree(notebooks, out / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.tmp-*"))
    shutil.copy(source / "pyproject.toml", out / "pyproject.toml")


def generate(cities: int, seed: int, out: Path, *, overwrite: bool = False, source: Path = REPO) -> list[str]:
    """Write the root (real parts copied from `source`, default this repository); return the synthetic city ids."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise SystemExit(f"{out} is not empty; pass --overwrite to replace it")
        if not (out / MARKER).is_file():
            raise SystemExit(f"{out} was not written by bench/synth.py ({MARKER} missing); refusing to delete it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    copy_repository_parts(out, Path(source))

    reference_dir = out / "data" / "curated" / "reference"
    with open(reference_dir / "cities.csv", encoding="utf-8", newline="") as f:
        real_cities = list(csv.DictReader(f))
    n_synthetic = cities - len(real_cities)
    if n_synthetic < 0:
        raise SystemExit(f"--cities must be at least {len(real_cities)} (the real cities)")
    ref = Reference.load(reference_dir)
    rng = random.Random(seed)

    raw_dir, curated_dir = out / "data" / "raw", out / "data" / "curated"
    new_cities = []
    for number in range(1, n_synthetic + 1):
        # One generator per city, seeded from the master: a city's content does not depend on how
        # many cities follow it.
        writer = CityWriter(random.Random(rng.getrandbits(64)), ref, number)
        city = writer.generate()
        text = "\n".join(city.lines) + "\n"
        file_name = f"{city.doc_id}.txt"
        (raw_dir / file_name).write_bytes(text.encode("utf-8"))
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        manifest = manifest_for(city, writer, file_name, sha, seed)
        (raw_dir / f"{city.doc_id}.yaml").write_text(
            "# Origin manifest of a synthetic benchmark document (bench/synth.py).\n"
            + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
        folder = curated_dir / city.doc_id
        folder.mkdir()
        (folder / "kpis.csv").write_text(csv_text(KPI_HEADER, city.kpis), encoding="utf-8")
        (folder / "kpi_observations.csv").write_text(csv_text(OBSERVATION_HEADER, city.observations), encoding="utf-8")
        (folder / "priority_targets.csv").write_text(csv_text(PRIORITY_HEADER, city.priority_targets), encoding="utf-8")
        (folder / "stakeholders.csv").write_text(csv_text(STAKEHOLDER_HEADER, city.stakeholders), encoding="utf-8")
        (folder / "synergies.csv").write_text(csv_text(SYNERGY_HEADER, city.synergies), encoding="utf-8")
        for table, columns in CONTENT_TABLES.items():  # header only: the synthetic documents list no initiatives, facts ...
            (folder / f"{table}.csv").write_text(csv_text(tuple(columns), []), encoding="utf-8")
        exceptions = direction_exceptions(city)
        if exceptions:
            (folder / "declared_exceptions.yaml").write_text(yaml.safe_dump(exceptions, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
        write_counts(folder)  # the build refuses a document folder without its recorded row counts
        (folder / "README.md").write_text(
            f"# {city.doc_id} (synthetic)\n\nGenerated by bench/synth.py (seed {seed}) for the scale benchmark; not a real city.\n\n"
            f"- KPI rows: {len(city.kpis)} ({sum(k['is_repeat'] == 'true' for k in city.kpis)} 再掲, "
            f"{sum(k['is_redacted'] == 'true' for k in city.kpis)} redacted)\n"
            f"- observations: {len(city.observations)}\n- priority targets: {len(city.priority_targets)}\n"
            f"- stakeholders: {len(city.stakeholders)}\n- synergies: {len(city.synergies)}\n", encoding="utf-8")
        new_cities.append({"city_id": city.city_id, "name_ja": city.name_ja, "name_en": city.name_en,
                           "prefecture_ja": city.prefecture_ja, "prefecture_en": city.prefecture_en})

    header = ("city_id", "name_ja", "name_en", "prefecture_ja", "prefecture_en")
    (reference_dir / "cities.csv").write_text(csv_text(header, real_cities + new_cities), encoding="utf-8")
    (out / MARKER).write_text(json.dumps({"cities": cities, "seed": seed, "synthetic": n_synthetic}) + "\n", encoding="utf-8")
    return [c["city_id"] for c in new_cities]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a project root with the real cities plus synthetic ones.")
    parser.add_argument("--cities", type=int, required=True, help="total number of cities, real ones included (>= 3)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write the root into")
    parser.add_argument("--overwrite", action="store_true", help="replace DIR if an earlier synth.py run wrote it")
    parser.add_argument("--source", type=Path, default=REPO, help="checkout (or snapshot) to copy the real data, sql/ and notebooks/ from")
    args = parser.parse_args(argv)
    ids = generate(args.cities, args.seed, args.out, overwrite=args.overwrite, source=args.source)
    print(f"wrote {args.out}: {args.cities} cities ({len(ids)} synthetic), seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

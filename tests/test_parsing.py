import math
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from sdgcities.build.inputs.parsing import ValueParseError, parse_number, parse_percent_cell, parse_year_label


@pytest.mark.parametrize("text, expected", [
    ("1,002", 1002.0), ("20,987", 20987.0), ("1,317.1", 1317.1), ("-118", -118.0), ("▲587", -587.0),
    ("△12.5", -12.5), ("４２", 42.0), ("１，３１７．１", 1317.1), ("－５", -5.0), ("0", 0.0), (" 40.6 ", 40.6),
])
def test_numbers_as_printed(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["1,31", "42%", "nan", "inf", "1e5", "", "達成", "1.2.3", "--5", "12,34,567"])
def test_not_numbers_are_refused_with_the_text(text):
    with pytest.raises(ValueParseError) as error:
        parse_number(text)
    if text:
        assert repr(text) in str(error.value)


@pytest.mark.parametrize("label, expected", [
    ("2017年度", (2017, True)), ("2021年", (2021, False)), ("2025年8月", (2025, False)), ("令和3年度", (2021, True)),
    ("現在(2023 年度)", (2023, True)), ("H30.11", (2018, False)), ("令和元年度", (2019, True)), ("現在", (None, False)), (None, (None, False)),
])
def test_year_labels_keep_the_fiscal_year(label, expected):
    assert parse_year_label(label) == expected


def test_published_rate_cells():
    assert parse_percent_cell("-118%") == (-118.0, None)
    assert parse_percent_cell("達成") == (None, "達成")
    assert parse_percent_cell("") == (None, None)


@given(st.text(max_size=20))
def test_parse_number_never_crashes_or_returns_non_finite(text):
    try:
        value = parse_number(text)
    except ValueParseError:
        return
    assert math.isfinite(value)


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_grouped_integers_round_trip(n):
    printed = f"{abs(n):,}"
    assert parse_number(("▲" if n < 0 else "") + printed) == float(n)


# A long text is normalised piece by piece (printed.normalise): the result must be NFKC of the whole.
_NFKC_POOL = [chr(c) for c in [*range(0x20, 0x80), *range(0x300, 0x370), *range(0x1100, 0x1200), *range(0x2000, 0x2100),
                               *range(0x3000, 0x3100), *range(0xFF00, 0xFFF0), *range(0xAC00, 0xAC40), 0x4E00, 0x5927, 0x9FFF, 0xA000]]


@given(st.lists(st.sampled_from(_NFKC_POOL), min_size=1, max_size=300))
def test_long_texts_are_normalised_as_nfkc_of_the_whole(characters):
    import unicodedata

    from sdgcities.build.inputs.printed import normalise

    text = "加賀市 " * 300 + "".join(characters)  # long enough to be normalised piece by piece
    assert normalise(text) == unicodedata.normalize("NFKC", text)


@pytest.mark.parametrize("text", [
    "# comment\nkpis:\n  rows: 3\n  sections:\n    (1) 地域の実態: 2\n    ② 推進 (海外向け): 1\nsynergies:\n  rows: 0\n  sections: {}\n",
    "kpis:\n  rows: 1\n  sections:\n", "yes:\n  rows: 1\n", "kpis:\n  rows: 012\n", "kpis:\n  rows: 1\n  sections:\n    1: 1\n",
    "kpis:\n  rows: 1\n  sections:\n    null: 1\n", "kpis:\n  rows: 1\n  sections:\n    x: 1\n    x: 2\n", "kpis:\n", "kpis:\n  rows: 1\r\n",
    "kpis:\n  rows: 1\n  sections:\n    '': 1\n", "kpis:\n  rows: 1\n  sections:\n    x #y: 1\n", "", "# only a comment\n",
])
def test_recorded_counts_read_as_yaml_reads_them(text):
    import yaml

    from sdgcities.build.inputs.row_counts import _load_counts

    assert _load_counts(text) == yaml.safe_load(text)


@pytest.mark.parametrize("document", sorted(p.parent.name for p in (Path(__file__).resolve().parents[1] / "data" / "curated").glob("*/row_counts.yaml")))
def test_the_curated_row_counts_take_the_fast_reader_and_read_as_yaml_reads_them(document):
    """Every committed row_counts.yaml is in the form write_counts writes, so the build reads it without the
    YAML library; the result must be YAML's (the other test's texts mostly fall back to YAML)."""
    import yaml

    from sdgcities.build.inputs.row_counts import _read_written_form

    text = (Path(__file__).resolve().parents[1] / "data" / "curated" / document / "row_counts.yaml").read_text(encoding="utf-8")
    fast = _read_written_form(text)
    assert fast is not None, "the build's own form was not recognised: the fast path is never taken"
    assert fast == yaml.safe_load(text)


@pytest.mark.parametrize("data", [
    "一行目\n二行目\n".encode(), "一行目\r\n二行目\r\n".encode(), "a\rb\r\nc\n\r\n".encode(), "\ufeff先頭にBOM\r\n".encode(), b"", b"\r",
])
def test_a_raw_document_read_once_gives_the_text_read_text_gives(tmp_path, data):
    """The manifests hash a raw document's bytes and decode the same bytes (manifests._as_text) instead of reading
    the file twice: the text must be what Path.read_text(encoding="utf-8") gives (universal newlines, BOM kept)."""
    from sdgcities.build.inputs import manifests

    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    assert manifests._as_text(data) == path.read_text(encoding="utf-8")

"""Robustness: fuzzed curated files give a clear error or the right number; readers survive rebuilds."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sdgcities.build import run as build
from sdgcities.build.inputs.problems import CuratedDataError, Problem
from sdgcities.build.inputs.tables import OBSERVATION_COLUMNS, _parse_rows, read_csv

HEADER = tuple(OBSERVATION_COLUMNS)


def observation_file(tmp_path: Path, value: str, *, encoding="utf-8", newline="\n", bom=False) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(HEADER)
    writer.writerow(["k:t:01", "actual", "2021年度", "2021年実績", value, "", "false", "", f"2021年度 {value} 件"])
    data = buffer.getvalue().encode(encoding)
    path = tmp_path / "kpi_observations.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_the_loader(tmp_path, data):
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    problems: list[Problem] = []
    rows = _parse_rows(path, OBSERVATION_COLUMNS, problems)
    # Never an exception: random bytes cannot carry this exact header, so they are refused with a
    # problem that names the file (a missing header, bad UTF-8, a malformed line ...).
    assert rows == []
    assert problems and all("random.csv" in str(problem) for problem in problems)


@pytest.mark.parametrize("printed, expected", [
    ("1,317.1", 1317.1), ("▲587", -587.0), ("４２", 42.0), ("１，３１７．１", 1317.1), ("－５", -5.0), ("20,987", 20987.0),
])
@pytest.mark.parametrize("encoding_case", ["utf8", "bom", "crlf"])
def test_printed_numbers_in_every_encoding_variant(tmp_path, printed, expected, encoding_case):
    path = observation_file(tmp_path, printed, bom=encoding_case == "bom", newline="\r\n" if encoding_case == "crlf" else "\n")
    problems: list[Problem] = []
    rows = _parse_rows(path, OBSERVATION_COLUMNS, problems)
    assert problems == [] and len(rows) == 1
    from sdgcities.build.inputs.parsing import parse_number

    assert parse_number(rows[0]["value"]) == expected and rows[0]["value"] == printed


@pytest.mark.parametrize("printed", ["1,31", "42%", "約40", "NaN", "1.2.3", "40.6 %"])
def test_wrong_numbers_are_named(tmp_path, printed):
    path = observation_file(tmp_path, printed)
    problems: list[Problem] = []
    assert _parse_rows(path, OBSERVATION_COLUMNS, problems) == []
    assert len(problems) == 1
    message = str(problems[0])
    assert "kpi_observations.csv, row 1 (line 2), column 'value'" in message and repr(printed) in message


def test_shift_jis_is_refused_with_its_location(tmp_path):
    path = observation_file(tmp_path, "40.6", encoding="shift_jis")
    problems: list[Problem] = []
    assert read_csv(path, HEADER, problems) == []
    assert "not valid UTF-8" in str(problems[0]) and "Shift_JIS" in str(problems[0]) and "line 2" in str(problems[0])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(alphabet=st.sampled_from(list("0123456789,.-▲△－，．０１２３４５６７８９ %年度a")), max_size=12))
def test_fuzzed_values_give_an_error_or_the_right_number(tmp_path, value):
    path = observation_file(tmp_path, value)
    problems: list[Problem] = []
    rows = _parse_rows(path, OBSERVATION_COLUMNS, problems)
    if problems:
        assert all("column 'value'" in str(p) or "source_quote" in str(p) for p in problems)
        return
    if not value.strip():
        assert rows[0]["value"] is None
        return
    import unicodedata
    from sdgcities.build.inputs.parsing import parse_number

    number = parse_number(rows[0]["value"])
    # Independent reading: fold to ASCII, drop thousands separators, map the accounting minus.
    folded = unicodedata.normalize("NFKC", value).replace(" ", "").replace(",", "")
    folded = folded.replace("▲", "-").replace("△", "-")
    assert number == float(folded)


def test_readers_keep_working_while_the_database_is_rebuilt(workspace):
    build.build(quiet=True)
    database = workspace / "data/curated/sdgs.duckdb"
    errors: list[BaseException] = []
    counts: list[int] = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            try:
                with duckdb.connect(str(database), read_only=True) as con:
                    counts.append(con.sql("select count(*) from kpis").fetchall()[0][0])
            except BaseException as error:  # any failure to read is what this test is about
                errors.append(error)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    # A long-lived reader opened before the rebuilds keeps its view of the old file.
    with duckdb.connect(str(database), read_only=True) as held:
        for _ in range(3):
            subprocess.run([sys.executable, "-m", "sdgcities.build", "--force"], check=True, env={**os.environ, "SDGCITIES_ROOT": str(workspace)}, capture_output=True)
        assert held.sql("select count(*) from kpis").fetchall()[0][0] == counts[0]
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == [] and len(counts) > 3 and len(set(counts)) == 1

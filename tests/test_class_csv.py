"""Every CSV download of a class opens in the teacher's Excel: its separator, decimals, yes/no and file name."""

import csv
import io

import pytest
import sqlalchemy as sa

from saring.classes import Classroom
from saring.classes.csvfile import class_file_name
from saring.content import get_library
from saring.extensions import db

from .test_check_report import class_of, log_in_teacher  # noqa: F401 (class_of is a fixture)
from .test_reports import fill_class

BOM = b"\xef\xbb\xbf"
FIGURES = (4, 5, 8, 9, 10)  # the check CSV's discernment, leaning and gain columns


@pytest.fixture
def teacher(client, login_as):
    return login_as("teacher", username="bu-sari")


def rename(app, class_id, name):
    with app.app_context():
        db.session.execute(sa.update(Classroom).where(Classroom.id == class_id).values(name=name))
        db.session.commit()


def lines(response) -> list[bytes]:
    """The file's lines as bytes, the BOM kept on the first."""
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return response.data.split(b"\r\n")


def filename(response) -> str:
    return response.headers["Content-Disposition"].removeprefix('attachment; filename="').removesuffix('"')


@pytest.mark.parametrize(("lang", "separator", "header", "passed", "name", "yes", "no"), [
    ("id", ";", "Nama;Nama pengguna;Terakhir aktif;", "Memahami hoaks: lulus", "nilai", "ya", "tidak"),
    ("en", ",", "Name,Username,Last active,", "Understanding hoaxes: passed", "report", "yes", "no"),  # as before
])
def test_the_class_report_opens_as_columns_in_the_teachers_excel(app, client, teacher, lang, separator, header,
                                                                 passed, name, yes, no):
    class_id = fill_class(app, teacher, 3)
    rename(app, class_id, "9A Literasi")
    response = client.get(f"/{lang}/classes/{class_id}/report.csv")
    first, *rows = lines(response)
    assert first.startswith(BOM + header.encode())
    assert filename(response) == f"{name}-9A-Literasi.csv"
    assert f"Murid 00{separator}murid3x00{separator}".encode() in rows[0]
    column = first.decode().split(separator).index(passed)
    assert rows[0].decode().split(separator)[column:column + 2] == [yes, no]  # Murid 00 passed, not late
    assert rows[1].decode().split(separator)[column] == no


def test_the_check_csv_writes_decimals_with_a_comma_in_indonesian(app, client, class_of):  # noqa: F811
    class_id = class_of([(5, 5, 8, 6), (6, 5, 9, 5)])
    log_in_teacher(client)
    rename(app, class_id, "9A Literasi")
    indonesian, english = (client.get(f"/{lang}/classes/{class_id}/check.csv") for lang in ("id", "en"))
    assert filename(indonesian) == "cek-pesan-9A-Literasi.csv" and filename(english) == "check-9A-Literasi.csv"
    id_rows = [line.decode().split(";") for line in lines(indonesian)[1:3]]
    en_rows = [line.decode().split(",") for line in lines(english)[1:3]]
    for id_row, en_row in zip(id_rows, en_rows, strict=True):
        assert id_row[:4] == en_row[:4] and id_row[6:8] == en_row[6:8]  # names and counts
        for column in FIGURES:
            assert id_row[column] == en_row[column].replace(".", ",")
            float(en_row[column])
    assert any("," in row[column] for row in id_rows for column in FIGURES)  # some figure has decimals


def test_the_item_analysis_names_each_question(app, client, teacher):
    class_id = fill_class(app, teacher, 2)
    rename(app, class_id, "9A Literasi")
    with app.app_context():
        questions = get_library().module("hoaks").quiz.texts["id"].questions
    response = client.get(f"/id/classes/{class_id}/modules/hoaks/items.csv")
    assert filename(response) == "analisis-soal-9A-Literasi-hoaks.csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Soal", "Kode soal", "Teks soal"]
    assert [row[1] for row in rows[1:]] == [question.id for question in questions]
    assert rows[1][2].split()[:3] == questions[0].body_html.replace("<p>", "").split()[:3]
    assert "<" not in "".join(row[2] for row in rows[1:])  # the text a spreadsheet shows, without markup


@pytest.mark.parametrize(("name", "expected"), [
    ("9A Literasi", "9A-Literasi"),
    ("Kelas 7/B: \"Bahasa\" <Ña>", "Kelas-7-B-Bahasa-Na"),
    ("  ../../etc  ", "etc"),
    ("=1+1", "1-1"),
    ("كلاس", "12"),  # nothing safe is left: the class's number stands in
])
def test_file_names_keep_safe_characters_only(name, expected):
    assert class_file_name(Classroom(id=12, name=name)) == expected


def test_a_file_name_stays_safe_whatever_its_translation_says(app, client, teacher, monkeypatch):
    class_id = fill_class(app, teacher, 1)
    translated = {"report-%(name)s.csv": 'nilai "kelas"/../%(name)s.csv'}
    monkeypatch.setattr("saring.classes.reports._", lambda text, **values: translated.get(text, text) % values)
    response = client.get(f"/id/classes/{class_id}/report.csv")
    assert filename(response) == "nilai-kelas-8B.csv"

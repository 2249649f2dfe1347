"""Content problems in the editor's language: each keeps its template, so an Indonesian editor reads it in
Indonesian while `flask content check` (tests/test_content.py) prints the same English as ever."""

import io
import re

import pytest

from saring.content import load_library
from saring.content.model import N_, ContentError, Count, Nn_
from saring.content.rules import MAX_FILE_BYTES, MIN_TEXT_PX, size_problem
from tests.conftest import SAMPLES

BROKEN = SAMPLES / "broken"
LESSON = "lessons/alpha/01-first.en.md"
UNFILLED = re.compile(r"%\(\w+\)|%[sdr]")


@pytest.fixture(scope="module")
def broken():
    return load_library(BROKEN / "lessons", BROKEN / "quizzes")


@pytest.fixture
def indonesian_editor(client, login_as, sample_copy, use_content):
    """An editor signed in in Indonesian, on a copy of the good sample content."""
    use_content(sample_copy)
    login_as("editor", username="editor", lang="id")
    return client


def test_every_problem_keeps_its_template_and_reads_in_english_as_content_check_prints_it(app, broken):
    assert len(broken.problems) > 50
    for problem in broken.problems:
        assert problem.template, problem
        assert problem.localized() == problem.message  # outside a request
    with app.test_request_context("/en/"):
        assert [p.localized() for p in broken.problems] == [p.message for p in broken.problems]


def test_an_indonesian_editor_reads_every_problem_in_indonesian(app, broken):
    with app.test_request_context("/id/"):
        for problem in broken.problems:
            text = problem.localized()
            assert text != problem.message, problem
            assert not UNFILLED.search(text), text
        texts = {p.localized() for p in broken.problems}
    assert "kolom 'summary' belum ada" in texts
    assert "pelajaran 'sendiri' belum punya versi bahasa Inggris (en); pembaca melihat bahasa yang lain" in texts
    assert "pelajaran ini selesai dibaca dalam 1 menit (7 kata, 150 kata per menit); buat agar paling sedikit 3 " \
           "menit" in texts


def test_numbers_are_written_as_the_reader_writes_them(app):
    problem = size_problem(1_234_567, "x.md")
    assert problem.message.startswith("the file has 1,234,567 bytes, more than the 204,800 (200 KB)")
    with app.test_request_context("/id/"):
        assert problem.localized().startswith("berkas ini berukuran 1.234.567 byte, lebih dari batas 204.800 (200 KB)")
    with app.test_request_context("/en/"):
        assert problem.localized() == problem.message


@pytest.mark.parametrize(("count", "english"), [(1, "1 minute (1 word)"), (3, "3 minutes (1,234 words)")])
def test_a_count_picks_the_singular_or_plural(count, english):
    problem = ContentError.of("x.md", 1, N_("%(minutes)s (%(words)s)"),
                              minutes=Count(count, Nn_("%(num)s minute", "%(num)s minutes")),
                              words=Count(1 if count == 1 else 1234, Nn_("%(num)s word", "%(num)s words")))
    assert problem.message == english
    assert (problem.template, problem.plural) == ("%(minutes)s (%(words)s)", "")


def test_a_sentence_with_a_count_picks_its_form_by_num():
    forms = Nn_("%(num)s of %(total)s is tagged", "%(num)s of %(total)s are tagged")
    assert ContentError.of("x.md", 1, forms, num=1, total=8).message == "1 of 8 is tagged"
    assert ContentError.of("x.md", 1, forms, num=0, total=8).message == "0 of 8 are tagged"


def test_template_and_params_take_no_part_in_comparing():
    made = ContentError.of("x.md", 3, N_("missing field %(key)r"), key="title")
    assert made == ContentError("x.md", 3, "missing field 'title'")
    assert hash(made) == hash(ContentError("x.md", 3, "missing field 'title'"))
    assert made.params == (("key", "title"),)


def test_check_shows_the_problem_next_to_its_line_in_indonesian(indonesian_editor, sample_copy):
    page = indonesian_editor.get(f"/id/editor/files/{LESSON}").text
    base = re.search(r'name="base" type="hidden" value="(\d*)"', page)[1]
    text = (sample_copy / LESSON).read_text().replace("minutes: 4", "minutes: four")
    answer = indonesian_editor.post(f"/id/editor/files/{LESSON}",
                                    data={"text": text, "message": "", "base": base, "check": "1"})
    assert answer.status_code == 200
    item = re.search(r"<li><span class=\"meta\">Baris 4:</span> <code>minutes: four</code><br>(.*?)</li>",
                     answer.text)
    assert item, answer.text
    assert "Kesalahan: &#39;minutes&#39; harus berupa bilangan bulat" in item[1]
    assert "must be a whole number" not in answer.text


@pytest.mark.parametrize(("data", "message"), [
    ("title: Caf\xe9\n".encode("cp1252"), "lessons/alpha/03-third.en.md:1: bukan teks UTF-8 (invalid continuation "
                                          "byte): simpan berkas ini dengan encoding UTF-8"),
    (b"x" * (MAX_FILE_BYTES + 1), "berkas ini berukuran 204.801 byte, lebih dari batas 204.800 (200 KB)"),
])
def test_an_unusable_upload_is_explained_in_indonesian(indonesian_editor, data, message):
    answer = indonesian_editor.post("/id/editor/upload", content_type="multipart/form-data",
                                    data={"module": "alpha", "file": (io.BytesIO(data), "03-third.en.md")})
    assert answer.headers["Location"] == "/id/editor/"
    assert message in indonesian_editor.get("/id/editor/").text


def test_a_genuine_question_giving_its_answer_away_is_explained_in_indonesian(app, sample_copy):
    quiz = sample_copy / "quizzes/alpha.id.md"
    quiz.write_text(quiz.read_text().replace('!!! post "@infoBMKG"', '!!! post "BMKG (akun resmi)"'))
    [problem] = load_library(sample_copy / "lessons", sample_copy / "quizzes").problems
    with app.test_request_context("/id/"):
        assert problem.localized() == (
            "soal 'info-cuaca' bertanda genuine, tetapi teksnya menyebut 'akun resmi': label yang memberi tahu "
            "pelajar bahwa pesan itu sudah dicek atau tepercaya membocorkan jawabannya; biarkan mereka menilai "
            "pesannya sendiri")


@pytest.mark.parametrize("svg, message", [
    ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 656 60"><text font-size="20">Hoaks</text></svg>',
     f"gambar 'images/pic.svg' punya teks yang tampil 10 px di ponsel; buat semua teks minimal {MIN_TEXT_PX} px, "
     f"yaitu font-size minimal {2 * MIN_TEXT_PX} di gambar ini"),
    ('<svg xmlns="http://www.w3.org/2000/svg">\n<text>Hoaks</svg>',
     "gambar 'images/pic.svg' tidak bisa dibaca sebagai SVG (baris 2 di berkasnya bukan XML yang benar), jadi "
     "ukuran teksnya tidak diperiksa; perbaiki atau simpan ulang dari program gambarnya"),
])
def test_an_image_with_text_too_small_or_unreadable_is_explained_in_indonesian(app, sample_copy, svg, message):
    (sample_copy / "lessons/alpha/images/pic.svg").write_text(svg)
    problems = load_library(sample_copy / "lessons", sample_copy / "quizzes").problems
    with app.test_request_context("/id/"):
        assert [p.localized() for p in problems] == [message, message]

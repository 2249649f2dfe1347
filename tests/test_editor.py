"""The editor workspace: files and their state, check, preview, publish, history, revert, uploads, conflicts."""


import pytest

LESSON = "lessons/alpha/01-first.en.md"
QUIZ = "quizzes/alpha.id.md"


@pytest.fixture
def editor(client, login_as, sample_copy, use_content):
    """An editor signed in, on a copy of the good sample content."""
    use_content(sample_copy)
    login_as("editor", username="editor", lang="en")
    return client


def source(client, path):
    page = client.get(f"/en/editor/files/{path}")
    assert page.status_code == 200
    return page


def edit(client, path, text, action="publish", **fields):
    page = client.get(f"/en/editor/files/{path}").text
    base = page.split('name="base" type="hidden" value="')[1].split('"')[0] if 'name="base"' in page else ""
    return client.post(f"/en/editor/files/{path}", data={"text": text, "message": "", "base": base,
                                                         action: "1", **fields})


def test_the_overview_lists_every_file_in_each_language(editor):
    page = editor.get("/en/editor/")
    assert page.status_code == 200
    assert "Alpha module" in page.text
    assert f"/en/editor/files/{LESSON}" in page.text
    assert "no-store" in page.headers["Cache-Control"]


def test_publishing_a_typo_fix_reaches_the_lesson_at_once(editor, sample_copy):
    text = (sample_copy / LESSON).read_text()
    assert "Fixed typo" not in editor.get("/en/modules/alpha/first").text
    answer = edit(editor, LESSON, text.replace("\n\n", "\n\nFixed typo here.\n\n", 1))
    assert answer.status_code == 302, answer.text
    assert "Fixed typo here." in editor.get("/en/modules/alpha/first").text
    assert (sample_copy / LESSON).read_text() == text  # the file stays the base

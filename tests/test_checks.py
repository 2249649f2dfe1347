"""The discernment check's forms: their file format, and the rules content check holds them to."""

import pytest

from saring.content import load_library

ITEM = """## {id}
truth: {truth}
{extra}topic: health
difficulty: {difficulty}

!!! whatsapp "Grup Keluarga"
    **Tante Rina:** {text}

explanation:
    Why it is {truth}.
"""


def item(item_id, truth="false", difficulty="easy", text="Minum air hangat menyembuhkan flu.", technique="fake-expert",
         source="Kemenkes, kemkes.go.id"):
    extra = f"technique: {technique}\n" if truth == "false" else f"source: {source}\n"
    return ITEM.format(id=item_id, truth=truth, extra=extra, difficulty=difficulty, text=text)


def form(*items, title="Form"):
    return f"---\ntitle: {title}\n---\n\nRate each message.\n\n" + "\n".join(items)


def balanced(prefix, count=20):
    """A form of `count` items, half genuine, alternating; the same profile whatever the prefix."""
    return form(*(item(f"{prefix}-{n}", "genuine" if n % 2 else "false", text=f"Pesan {prefix} {n}.")
                  for n in range(count)))


@pytest.fixture
def tree(sample_copy):
    (sample_copy / "checks").mkdir()
    return sample_copy


def write(tree, name, text):
    (tree / "checks" / name).write_text(text, encoding="utf-8")


def load(tree):
    return load_library(tree / "lessons", tree / "quizzes")


def test_balanced_parallel_forms_in_both_languages_have_no_problems(tree):
    for form_id in "ab":
        for lang in ("id", "en"):
            write(tree, f"{form_id}.{lang}.md", balanced(form_id))
    library = load(tree)
    assert [str(p) for p in library.problems] == []
    a, b = library.checks
    assert b.id == "b"
    first = a.texts["id"].items[0]
    assert (a.id, len(a.texts["en"].items), first.id, first.genuine, first.technique, first.topic) == \
        ("a", 20, "a-0", False, "fake-expert", "health")
    assert '<figure class="card' in first.body_html and "Why it is false." in first.explanation_html
    assert a.texts["id"].items[1].source == "Kemenkes, kemkes.go.id"


def test_each_broken_item_is_reported_at_its_line_and_left_out(tree):
    text = form(item("a-ok"),
                "## a-no-truth\ntopic: health\ndifficulty: easy\n\n!!! sms \"X\"\n    Hi\n\nexplanation:\n    Why.\n",
                item("a-genuine-no-source", "genuine", source="").replace("source: \n", ""),
                item("a-bad-technique", technique="magic"),
                "## a-no-explanation\ntruth: false\ntechnique: emotion\ntopic: health\ndifficulty: easy\n\n"
                "!!! sms \"X\"\n    Hi\n")
    write(tree, "a.id.md", text)
    library = load(tree)
    errors = [str(p) for p in library.problems if not p.warning]
    assert errors == [
        "checks/a.id.md:19: item 'a-no-truth' needs a 'truth:' line under its id",
        "checks/a.id.md:29: genuine item 'a-genuine-no-source' needs a 'source:' line: where a reader can verify it",
        "checks/a.id.md:42: technique 'magic' must be one of emotion, impersonation, fake-expert, polarisation, "
        "conspiracy, discrediting, trolling, false-context, manipulated-media, fabricated, urgency, scam",
        "checks/a.id.md:52: item 'a-no-explanation' has no 'explanation:' line with the explanation indented "
        "under it",
    ]
    assert [i.id for i in library.check_form("a").texts["id"].items] == ["a-ok"]


def test_unbalanced_and_unmatched_forms_are_warnings_for_strict(tree):
    write(tree, "a.id.md", form(*(item(f"a-{n}", text=f"Pesan {n}.") for n in range(20))))  # none genuine
    write(tree, "a.en.md", balanced("a"))
    write(tree, "b.id.md", balanced("b", 12))
    messages = [str(p) for p in load(tree).problems]
    assert "checks/a.id.md:1: warning: 0 of the form's 20 items are genuine; about half should be, so doubting " \
           "everything scores no better than trusting everything" in messages
    assert "checks/b.id.md:1: warning: the form has 12 items; give it at least 20" in messages
    assert any("is not in checks/a.id.md with the same truth" in m and ":warning:" not in m for m in messages), \
        "a different truth in the other language is an error: it is the answer"
    assert "checks/b.id.md:1: warning: the form is not parallel to checks/a.id.md: give both as many genuine " \
           "items, the same techniques among the false ones, and the same difficulties" in messages


def test_a_card_a_quiz_already_shows_is_not_a_check_item(tree):
    quiz = (tree / "quizzes/alpha.id.md").read_text()
    card = quiz[quiz.index("!!! whatsapp"):].split("\n\n")[0]
    write(tree, "a.id.md", form(item("a-reused").replace(
        '!!! whatsapp "Grup Keluarga"\n    **Tante Rina:** Minum air hangat menyembuhkan flu.', card)))
    assert any("item 'a-reused' shows a card that a lesson or a quiz shows too" in str(p)
               for p in load(tree).problems)

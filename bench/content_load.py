"""Content loading time as the curriculum grows: 1,000 generated lessons in both languages.

The lessons are the shipped ones copied under new ids (so the text is real), in modules of ten.
Measures a load without the rendered-output cache, a first load that fills it, and a load with it
(what every app process does at start-up once the content has been rendered before).

    .venv/bin/python -m bench.content_load [--lessons 1000] [--json results.json]   (from the project root)
"""

import argparse
import re
import shutil
import tempfile
import time
from pathlib import Path

from bench.server import print_figures
from saring.config import Config
from saring.content import load_library

LINK = re.compile(r"\]\((?:\.\./[a-z0-9-]+/)?\d\d-[a-z0-9-]+\.md(#[\w-]*)?\)")


def generate(target: Path, count: int) -> None:
    """`count` lessons in modules of ten, each lesson in Indonesian and English, copied from the curriculum."""
    sources = sorted(Path(Config.CONTENT_LESSONS_DIR).glob("*/[0-9][0-9]-*.id.md"))
    for number in range(count):
        module = target / "lessons" / f"modul-{number // 10:03}"
        if not module.exists():
            module.mkdir(parents=True)
            (module / "module.yml").write_text(
                f"order: {number // 10 + 1}\npillars: [cakap]\nminutes: 50\n"
                "title: {id: Modul uji, en: Test module}\nsummary: {id: Untuk mengukur., en: For measuring.}\n")
            (module / "images").mkdir()
            for image in Path(Config.CONTENT_LESSONS_DIR).glob("*/images/*"):  # every lesson's pictures
                shutil.copy(image, module / "images" / image.name)
        source = sources[number % len(sources)]
        for lang in ("id", "en"):
            text = source.with_name(source.name.replace(".id.", f".{lang}.")).read_text()
            # links point at lessons of the copied module; keep them valid by pointing at this one
            text = LINK.sub(f"]({number % 10 + 1:02}-pelajaran-{number:04}.md)", text)
            (module / f"{number % 10 + 1:02}-pelajaran-{number:04}.{lang}.md").write_text(text)
    (target / "quizzes").mkdir()


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=1000)
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder)
        generate(tree, options.lessons)
        lessons, quizzes, cache = tree / "lessons", tree / "quizzes", tree / "cache.json"
        no_cache, library = timed(lambda: load_library(lessons, quizzes))
        filling, _ = timed(lambda: load_library(lessons, quizzes, cache))
        warm, warm_library = timed(lambda: load_library(lessons, quizzes, cache))
        assert warm_library == library, "the cache changed the content"
        texts = sum(len(lesson.texts) for module in library.modules for lesson in module.lessons)
        errors = len(library.errors)
    figures = {"lessons": options.lessons, "lesson_files": texts, "errors": errors,
               "seconds_without_cache": round(no_cache, 3), "seconds_filling_cache": round(filling, 3),
               "seconds_with_cache": round(warm, 3), "cache_speedup": round(no_cache / warm, 1)}
    print(f"{options.lessons} lessons ({texts} files, {errors} errors)")
    print(f"  without the cache      {no_cache:6.2f} s")
    print(f"  first load (fills it)  {filling:6.2f} s")
    print(f"  with the cache         {warm:6.2f} s   ({figures['cache_speedup']}x faster; goal: under 2 s)")
    print_figures(figures, options.json)
    return 0 if warm < 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())

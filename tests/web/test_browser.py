"""Real-browser tests: Debian's headless chromium driven by Playwright's Python package.

Install the browser with `scripts/install_browser.sh`; without it these tests skip.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from pipelines.web.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOT = Path("/tmp/facetcoder_web.png")
SECRET_MARK = "ZEBRA-PRIVATE-7731"  # appears in the pasted note; must never reach a log

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")


def flagged_note(note: str) -> str:
    """The example note with IV sedation: still codable, and the sedation documentation gets flagged."""
    note = note.replace("SEDATION: None. Local anesthetic only.", "SEDATION: Midazolam 2 mg IV was given for anxiety.")
    return note.replace("Example Patient (synthetic)", f"Example Patient {SECRET_MARK}")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"Debian chromium not found at {CHROMIUM}: run scripts/install_browser.sh (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def real_analyzer():
    try:
        from nlp.api import Analyzer

        return Analyzer()
    except Exception as exc:  # the coding engine may be mid-change in a dev tree
        pytest.skip(f"the real Analyzer could not be built: {type(exc).__name__}: {exc}")


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # JS errors only: chromium also logs every non-2xx fetch ("Failed to load resource"), which some tests expect.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    external: list[str] = []
    page.on("request", lambda req: external.append(req.url) if not req.url.startswith((url, "data:")) else None)
    page.goto(url + "/")
    return page, errors, external


def test_paste_analyze_real_pipeline(browser, real_analyzer, note_text, serve_app, caplog, capfd):
    """The example note through the real pipeline: claim lines, highlights and a flag appear."""
    caplog.set_level(logging.DEBUG)
    with serve_app(create_app(analyzer=real_analyzer)) as url:
        page, errors, external = _open(browser, url)
        page.wait_for_function("document.querySelectorAll('#payer option').length >= 2")
        page.fill("#note", flagged_note(note_text))
        page.select_option("#payer", "medicare")
        page.click("#analyze")
        page.wait_for_selector("#result:not([hidden])", timeout=20_000)

        rows = page.locator("#claims tbody tr")
        assert rows.count() >= 1, page.inner_text("#results-pane")
        assert "6449" in page.inner_text("#claim-text")
        assert page.locator("#annotated mark.hl").count() >= 5
        assert page.locator("#annotated mark.hl-procedure").count() >= 1
        assert page.locator("#flags li.flag").count() >= 1

        rows.first.focus()  # keyboard focus links the claim line to its evidence
        assert page.locator("#annotated .linked").count() >= 1
        page.locator("#flags li.flag").first.hover()
        page.mouse.move(0, 0)
        rows.first.hover()
        page.screenshot(path=str(SCREENSHOT), full_page=False)
        assert SCREENSHOT.stat().st_size > 10_000
        assert not errors, errors
        assert not external, f"page requested external assets: {external}"
        page.close()
    out, err = capfd.readouterr()  # uvicorn's own handlers write to stdout/stderr
    logs = out + err + caplog.text
    assert "POST /api/analyze/page" in logs  # the access log did run
    assert SECRET_MARK not in logs, "note text reached the server logs"


def test_page_flow_with_fake_analyzer(browser, fake_analyzer, note_text, serve_app):
    """UI behaviour independent of the engine: empty note, token prompt, markup shown as text, copy text."""
    with serve_app(create_app(analyzer=fake_analyzer, token="s3cret")) as url:
        page, errors, _ = _open(browser, url)
        page.wait_for_selector("#token-field:not([hidden])")
        page.click("#analyze")
        assert "empty" in page.inner_text("#error")

        # An astral character first: Python offsets count code points, JS strings UTF-16 units.
        page.fill("#note", "\U0001F600 " + note_text + "\n<img src=x onerror=alert(1)> <b>bold</b>")
        page.fill("#token", "wrong")
        page.keyboard.press("Control+Enter")
        page.wait_for_selector("#error:not([hidden])")
        page.wait_for_function("document.querySelector('#error').textContent.includes('rejected')")

        page.fill("#token", "s3cret")
        page.click("#analyze")
        page.wait_for_selector("#result:not([hidden])")
        assert page.inner_text("#claim-text").splitlines()[0].startswith("64493-50-KX x1")
        assert page.locator("#annotated img, #annotated b").count() == 0  # markup stays text
        assert "<img src=x" in page.inner_text("#annotated")
        assert page.locator("#annotated mark.hl-procedure").first.inner_text().lower().startswith("medial branch block")
        assert page.locator("#annotated mark.hl-levels").first.inner_text() in ("L4-L5", "L4-5", "L5-S1")
        assert page.locator("#flags h4").all_inner_texts() == ["Warnings (1)", "Info (1)"]
        assert page.evaluate("sessionStorage.getItem('facetcoder.token')") == "s3cret"

        page.click("#edit")
        assert page.locator("#note").is_visible()
        assert not errors, errors
        page.close()

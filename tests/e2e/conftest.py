"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright against the real server.

The server is started the way ``make run`` starts it — ``autotrade db upgrade``, ``autotrade demo``,
``autotrade serve`` — in a subprocess, on loopback, with a fresh SQLite database in a temporary
directory. Chromium is ``/usr/bin/chromium`` (``make test`` installs Debian's package when it can);
without it the tests are skipped, except under CI, where they must run.

Screenshots go to ``var/screenshots/`` (kept as artifacts; a few are linked from the README).
Under pytest-xdist one worker runs every test here (``tests/conftest.py``, ``pytest_xdist_make_scheduler``),
against one server, and is the only one to empty ``var/screenshots/``.
Every page a test visits through :func:`Browser.visit` is checked for accessibility basics with
axe-core (vendored in ``tests/e2e/vendor``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from autotrade.demo import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# axe-core rules that make up "accessibility basics": labels, names, titles, language, structure.
AXE_RULES = [
    "label",
    "label-title-only",
    "select-name",
    "input-button-name",
    "button-name",
    "link-name",
    "image-alt",
    "document-title",
    "html-has-lang",
    "html-lang-valid",
    "duplicate-id-aria",
    "aria-allowed-attr",
    "aria-required-attr",
    "aria-valid-attr",
    "aria-valid-attr-value",
    "aria-hidden-focus",
    "nested-interactive",
    "tabindex",
    "list",
    "listitem",
    "td-headers-attr",
    "th-has-data-cells",
    "page-has-heading-one",
    "meta-viewport",
    "form-field-multiple-labels",
]


def _require_chromium() -> None:
    if Path(CHROMIUM).is_file():
        return
    msg = f"{CHROMIUM} is missing: install Debian's chromium (`make test` does it when run as root)"
    if IN_CI:
        pytest.fail("CI=true but " + msg)
    pytest.skip(msg)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    exe = Path(sys.executable).with_name("autotrade")
    done = subprocess.run(
        [str(exe), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"autotrade {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


class Server:
    """The running server: its base URL and the way to run the CLI against its database."""

    def __init__(self, url: str, env: dict[str, str], cwd: Path, demo_loaded_at: datetime) -> None:
        self.url = url
        self.env = env
        self.cwd = cwd
        self.demo_loaded_at = demo_loaded_at  # when the demo's orders were placed (UTC)

    def cli(self, *args: str) -> str:
        return _cli(self.env, self.cwd, *args)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _require_chromium()
    work = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "AUTOTRADE_DATABASE_URL": f"sqlite:///{work / 'autotrade.db'}",
        "AUTOTRADE_ENV": "development",
        "AUTOTRADE_LOG_JSON": "false",
        "AUTOTRADE_LOG_LEVEL": "WARNING",
        "AUTOTRADE_LOGIN_RATE_LIMIT": "10000",
        "AUTOTRADE_QUEUE": "inprocess",
    }
    _cli(env, work, "db", "upgrade")
    demo_loaded_at = datetime.now(UTC)
    _cli(env, work, "demo")
    port = _free_port()
    exe = Path(sys.executable).with_name("autotrade")
    log = (work / "server.log").open("w")
    proc = subprocess.Popen(
        [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the server did not start:\n" + (work / "server.log").read_text()[-3000:])
        time.sleep(0.2)
    try:
        yield Server(url, env, work, demo_loaded_at)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        errors = [line for line in (work / "server.log").read_text().splitlines() if "Traceback" in line]
        assert not errors, "the server logged tracebacks:\n" + (work / "server.log").read_text()[-5000:]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _screenshots_dir() -> None:
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)


class Browser:
    """One user's browser window (its own cookies), with helpers for logging in, checking pages for
    accessibility and saving screenshots."""

    def __init__(self, context: Any, server: Server) -> None:
        self.context = context
        self.server = server
        self.page = context.new_page()
        self.page.set_default_timeout(15_000)
        self.console_errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    def url(self, path: str) -> str:
        return self.server.url + path

    def goto(self, path: str) -> Any:
        return self.page.goto(self.url(path))

    def login(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.goto("/login")
        self.page.locator("input[name=email]").fill(email)
        self.page.locator("input[name=password]").fill(password)
        self.page.locator("form[action='/login'] button[type=submit]").click()
        self.page.wait_for_url(lambda u: "/login" not in u)

    def check_accessibility(self) -> None:
        """axe-core's basic rules must find nothing on the current page."""
        page = self.page
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=AXE.read_text())
        result = page.evaluate(
            "rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})", AXE_RULES
        )
        problems = [
            f"{v['id']}: {v['help']} → " + "; ".join(n["html"][:160] for n in v["nodes"][:5])
            for v in result["violations"]
        ]
        assert problems == [], f"accessibility problems on {page.url}:\n" + "\n".join(problems)
        assert page.title().strip(), f"no title on {page.url}"

    def shot(self, name: str, *, full_page: bool = True) -> None:
        """Check the page's accessibility, then save a screenshot as var/screenshots/<name>.png."""
        self.check_accessibility()
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def open_browser(chromium: Any, server: Server) -> Iterator[Any]:
    """``open_browser(lang="en", phone=False)`` opens a new window (its own cookies)."""
    contexts: list[Any] = []
    windows: list[Browser] = []

    def go(lang: str | None = None, *, phone: bool = False) -> Browser:
        options: dict[str, Any] = {"viewport": {"width": 390, "height": 844}} if phone else {}
        options["viewport"] = options.get("viewport") or {"width": 1280, "height": 900}
        options["locale"] = "zh-CN"
        options["timezone_id"] = "Asia/Shanghai"
        context = chromium.new_context(**options)
        if lang:
            host = server.url.split("//", 1)[1].split(":")[0]
            context.add_cookies([{"name": "lang", "value": lang, "domain": host, "path": "/"}])
        contexts.append(context)
        window = Browser(context, server)
        windows.append(window)
        return window

    yield go
    for context in contexts:
        context.close()
    errors = [e for w in windows for e in w.console_errors]
    assert errors == [], f"JavaScript errors in the pages: {errors}"

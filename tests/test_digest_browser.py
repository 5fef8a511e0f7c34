"""The digest's HTML in headless Chromium: no horizontal overflow at 600 and 375 px, every
post title visible. Debian's chromium and chromium-driver (.ci/run installs them); no
browser is ever downloaded (explicit binary and driver paths, Selenium Manager offline)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedletter.cli import main

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTHS = (600, 375)
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--hide-scrollbars")


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        reason = f"headless Chromium needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install " \
                 "chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must not skip the browser test")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"        # Selenium Manager must never download anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(20)
    try:
        yield browser
    finally:
        browser.quit()


def build(config: Path, month: str) -> Path:
    cwd = os.getcwd()
    os.chdir(config.parent)
    try:
        result = CliRunner().invoke(main, ["digest", "--config", str(config), "--month", month,
                                           "--now", "2030-01-01T00:00:00Z"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return config.parent / "feeds" / "digests" / f"{month}.html"


def check_layout(driver, page: Path, titles_expected: int | None = None) -> None:
    for width in WIDTHS:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600})
        driver.get(page.as_uri())
        inner = driver.execute_script("return window.innerWidth")
        scroll = driver.execute_script("return document.documentElement.scrollWidth")
        assert inner == width
        assert scroll <= inner, f"{page.name} overflows at {width} px: {scroll} > {inner}"
        titles = driver.find_elements("css selector", "a.post-link")
        assert titles, "no post titles found"
        if titles_expected is not None:
            assert len(titles) == titles_expected
        for title in titles:
            rect = title.rect
            assert title.is_displayed(), title.text
            assert rect["width"] > 0 and rect["height"] > 0, title.text
            assert 0 <= rect["x"] and rect["x"] + rect["width"] <= inner, (width, title.text, rect)


def test_corpus_digest_fits_600_and_375(driver, corpus_site):
    from test_digest import CORPUS_DIGEST
    corpus_site.write_text(corpus_site.read_text() + CORPUS_DIGEST)
    # six posts, one of them in three files: shown once
    check_layout(driver, build(corpus_site, "2017-02"), titles_expected=4)


@pytest.mark.parametrize(("budget", "layout"), [(100_000, "(as configured)"),
                                                (15_000, "listed under 'More from")])
def test_hard_content_fits_600_and_375(driver, site, budget, layout):
    """Long words and URLs, wide images, code and tables; then the linked-list layout."""
    site.config(f'[digest]\nmax_items = 2\nmax_html_bytes = {budget}\n'
                '[[digest.sections]]\ntitle = "A very long section title that needs to wrap '
                'somewhere on a phone"\ntags = ["x"]\n')
    long_word = "Supercalifragilistic" * 6
    long_url = "https://example.org/" + "segment-without-spaces-" * 10
    body = (f"{long_word} [link]({long_url}) {long_url}\n\n"
            '<img src="/wide.png" width="1600" height="400">\n\n'
            f"    {'code_that_never_ends_' * 12}\n\n"
            "| a | b | c |\n|---|---|---|\n| " + " | ".join([long_word] * 3) + " |\n\n"
            "READMORE\n\nThe rest.\n")     # the whole body above is the summary
    for i in range(12):
        site.post(f"p{i:02d}.md", f"""\
            ---
            title: "{long_word} post {i}"
            date: 2016-11-{i + 1:02d}
            tags: {"x" if i % 2 else "y"}
            ---
            {body.replace(chr(10), chr(10) + " " * 12)}
            """)
    result = site.run("digest", "--month", "2016-11")
    assert result.exit_code == 0, result.output
    assert layout in result.output
    check_layout(driver, site.out / "digests" / "2016-11.html", titles_expected=12)


# --- the newsletter with real images, light and dark ---------------------------------------

NAME = "Lanternfish Community Newsletter"


@pytest.fixture
def image_server(tmp_path):
    """Real PNG files over HTTP on 127.0.0.1, so the browser lays out their real sizes."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from test_digest_newsletter import png

    folder = tmp_path / "www"
    (folder / "img").mkdir(parents=True)
    for name, size in {"wide": (1600, 900), "float": (300, 300), "tall": (700, 1400),
                       "logo": (240, 96), "header": (1800, 500)}.items():
        (folder / "img" / f"{name}.png").write_bytes(png(*size))

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_newsletter_images_fit_light_and_dark(driver, site, image_server):
    site.config_text = site.config_text.replace('url = "https://example.org"',
                                                f'url = "{image_server}"')
    site.config(f'''
        [digest]
        name = "{NAME}"
        logo = "{image_server}/img/logo.png"
        header_image = "{image_server}/img/header.png"
        header_image_alt = "Lanterns"
        intro = "Hello! ![A wide picture](/img/wide.png)"
        footer = "Lanternfish e.V. · Example Street 1 · Brno"

        [[digest.sections]]
        title = "Releases"
        tags = ["release"]

        [[digest.sections]]
        title = "Events"
        tags = ["events"]
        layout = "list"
        ''')
    site.post("a.md", """\
        ---
        title: Front matter picture
        date: 2016-11-02
        tags: release
        image: /img/wide.png
        ---
        A summary next to nothing.
        """)
    site.post("b.md", """\
        ---
        title: A floated image in the summary
        date: 2016-11-03
        tags: release
        ---
        <img src="/img/tall.png" alt="Tall"> Text.

        <img src="/img/float.png" align="right" width="300" alt="Float"> Floated right.

        READMORE

        Rest.
        """)
    site.post("c.md", """\
        ---
        title: A meetup
        date: 2016-11-04
        tags: events
        ---
        First sentence. Second sentence.
        """)
    result = site.run("digest", "--month", "2016-11")
    assert result.exit_code == 0, result.output
    page = (site.out / "digests" / "2016-11.html").as_uri()
    for scheme in ("light", "dark"):
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme", "value": scheme}]})
        for width in WIDTHS:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600})
            driver.get(page)
            loaded = driver.execute_script(
                "return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
                " && document.images.length")
            # logo, header, intro; two item pictures (one the post's first image, shown once)
            # and the floated one left in a summary
            assert loaded == 6, f"images not loaded: {loaded}"
            inner = driver.execute_script("return window.innerWidth")
            assert driver.execute_script("return document.documentElement.scrollWidth") <= inner
            wide = driver.execute_script(
                "return Array.from(document.querySelectorAll('body *')).filter(e => {"
                " const r = e.getBoundingClientRect(); return r.width > 0 &&"
                f" (r.right > {inner} + 0.5 || r.left < -0.5) }}).map(e => e.outerHTML.slice(0, 80))")
            assert wide == [], (scheme, width, wide)
            # every item image inside its column (the cell's content box)
            outside = driver.execute_script(
                "return Array.from(document.querySelectorAll('img.item-image')).filter(i => {"
                " const c = i.closest('td'), s = getComputedStyle(c),"
                " left = c.getBoundingClientRect().left + parseFloat(s.paddingLeft),"
                " right = c.getBoundingClientRect().right - parseFloat(s.paddingRight),"
                " r = i.getBoundingClientRect();"
                " return r.left < left - 0.5 || r.right > right + 0.5 || r.width === 0 }).length")
            assert outside == 0, (scheme, width)
            floated = driver.execute_script(
                "return Array.from(document.images).filter(i => getComputedStyle(i).float !== 'none')"
                ".length")
            assert floated == 0
            # the preheader is in the document, first, and not shown
            pre = driver.find_element("css selector", ".preheader")
            assert pre.get_attribute("textContent").startswith("November 2016: Front matter picture")
            assert not pre.is_displayed()
            masthead = driver.find_element("css selector", "a.masthead")
            assert masthead.text == NAME and masthead.is_displayed()
            background = driver.execute_script(
                "return getComputedStyle(document.querySelector('.page')).backgroundColor")
            assert background == ("rgb(255, 255, 255)" if scheme == "light" else "rgb(22, 27, 34)")

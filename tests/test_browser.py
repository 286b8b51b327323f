"""The built site in a real browser: Debian's Chromium, driven by Playwright.

The site is served on 127.0.0.1 by http.server in a thread; one browser and
one server serve the whole module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from kb import glossary, paths, schema

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = paths.ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
STRAIGHT = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})

ARTICLE = sorted(
    f"{schema.ARTICLES_DIR}/{p.stem}"
    for p in paths.ARTICLES.glob("*.md")
    if schema.is_article_docname(f"{schema.ARTICLES_DIR}/{p.stem}")
)[0]


#: Every URL any page asked for, across all tests of the module.
REQUESTS: list[str] = []


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, color_scheme="light")
    page = context.new_page()
    page.on("request", lambda request: REQUESTS.append(request.url))
    yield page
    context.close()


@pytest.fixture(scope="module")
def pages(site) -> list[str]:
    """Every page's path on the site."""
    return [p.relative_to(site.html).as_posix() for p in site.pages()]


def test_search_for_a_glossary_term_finds_the_article(page, base_url):
    page.goto(f"{base_url}search.html?q=esketamine")
    results = page.locator("#search-results .kb-result a")
    expect(results.first).to_be_visible()
    hrefs = [urlsplit(h).path for h in results.evaluate_all("els => els.map(e => e.href)")]
    assert "/articles/esketamine-in-treatment-resistant-depression.html" in hrefs


def test_tooltip_shows_the_definition_on_hover_and_focus(page, base_url):
    page.goto(f"{base_url}{ARTICLE}.html")
    link = page.locator(".kb-term > a").first
    term = page.locator(".kb-term").first
    tooltip = term.locator(".kb-tooltip")
    # Sphinx's term anchors join a term's words with "-": "term-Maintenance-treatment".
    anchor = urlsplit(link.get_attribute("href")).fragment
    (entry,) = [
        e for e in glossary.load().entries if "term-" + e.headword.replace(" ", "-") == anchor
    ]
    expect(tooltip).to_be_hidden()

    link.hover()
    expect(tooltip).to_be_visible()
    assert tooltip.inner_text().translate(STRAIGHT) == entry.plain_definition
    tooltip.hover()  # the pointer can move onto the tooltip to read it
    expect(tooltip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()
    page.mouse.move(0, 0)
    link.hover()
    expect(tooltip).to_be_visible()
    page.mouse.move(0, 0)
    expect(tooltip).to_be_hidden()

    # Keyboard: Tab reaches the link, the tooltip shows and describes it.
    for _ in range(300):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first glossary link")
    expect(tooltip).to_be_visible()
    expect(link).to_have_accessible_description(tooltip.inner_text())
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()
    expect(link).to_be_focused()
    # Focus leaves and comes back: the tooltip shows again.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(tooltip).to_be_visible()


def test_tooltip_stays_inside_a_phone_screen(browser, base_url):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.on("request", lambda request: REQUESTS.append(request.url))
    page.goto(f"{base_url}{ARTICLE}.html")
    for term in page.locator(".kb-term").all():
        term.locator("a").focus()
        box = term.locator(".kb-tooltip").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    context.close()


def test_used_in_links_navigate_to_the_page(page, base_url):
    page.goto(f"{base_url}glossary.html")
    link = page.locator(".kb-used-in a").first
    title = link.inner_text()
    link.click()
    expect(page).not_to_have_url(f"{base_url}glossary.html")
    expect(page.locator("article h1")).to_contain_text(title)


def test_phone_width_has_no_horizontal_scroll(browser, base_url, pages):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.on("request", lambda request: REQUESTS.append(request.url))
    wide = []
    for path in pages:
        page.goto(base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide.append(f"{path}: {width}px")
    context.close()
    assert wide == []


def test_404_page_works_at_any_depth(page, base_url, site):
    """Served for a missing page deep in the site, its styles, scripts and
    links still work."""
    not_found = site.html / "404.html"
    page.route("**/no/such/folder/*", lambda route: route.fulfill(status=404, path=not_found))
    statuses = []
    page.on("response", lambda response: statuses.append((response.url, response.status)))
    page.goto(f"{base_url}no/such/folder/page.html")
    expect(page.locator("article h1")).to_contain_text("Page not found")
    assert [url for url, status in statuses[1:] if status != 200] == []
    assert any(url.endswith(".css") or ".css?" in url for url, _ in statuses)
    page.locator("article a", has_text="home page").click()
    expect(page).to_have_url(f"{base_url}index.html")


def _background(page: Page) -> tuple[int, ...]:
    color = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return tuple(int(c) for c in color[color.index("(") + 1 : -1].split(",")[:3])


def test_dark_mode_switches_and_is_remembered(page, base_url):
    page.goto(f"{base_url}{ARTICLE}.html")
    assert sum(_background(page)) > 600  # light
    toggle = page.locator(".theme-toggle-content .theme-toggle")
    for _ in range(3):
        if page.evaluate("document.body.dataset.theme") == "dark":
            break
        toggle.click()
    assert page.evaluate("document.body.dataset.theme") == "dark"
    assert sum(_background(page)) < 150  # dark
    page.reload()
    assert page.evaluate("document.body.dataset.theme") == "dark"
    assert sum(_background(page)) < 150


def test_print_shows_the_content_and_crisis_notice_only(page, base_url):
    page.goto(f"{base_url}{ARTICLE}.html")
    page.emulate_media(media="print")
    expect(page.locator(".sidebar-drawer")).to_be_hidden()
    expect(page.locator(".toc-drawer")).to_be_hidden()
    expect(page.locator(".kb-report-problem")).to_be_hidden()
    expect(page.locator(".announcement-content")).to_be_visible()
    expect(page.locator("article h1")).to_be_visible()
    expect(page.locator(".kb-disclaimer")).to_be_visible()
    # Black on white, even for a reader who browses in dark mode.
    page.evaluate("document.body.dataset.theme = 'dark'")
    assert _background(page) == (255, 255, 255)


def run_axe(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }""",
        AXE_TAGS,
    )
    return [f"{v['id']}: {', '.join(v['nodes'])}" for v in violations]


def test_axe_finds_no_violations_on_any_page_light_or_dark(page, base_url, pages):
    """Every page, at 1280 and 375 px, light and dark; and the states scripts
    make: search results, no results, an open citation preview."""
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `make test` (or `npm ci`)")
    states = [*pages, "search.html?q=ketamine+side+effects", "search.html?q=zzqx"]
    found = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in states:
            page.goto(base_url + path)
            for theme in ("light", "dark"):
                page.evaluate("theme => { document.body.dataset.theme = theme; }", theme)
                found.extend(f"{path} ({viewport['width']} px, {theme}) {v}" for v in run_axe(page))
        page.goto(f"{base_url}{ARTICLE}.html")
        page.locator("a.kb-cite").first.focus()
        expect(page.locator("#kb-popover")).to_be_visible()
        found.extend(f"citation preview ({viewport['width']} px) {v}" for v in run_axe(page))
    assert found == []


def test_axe_does_report_a_violation(page, base_url):
    """The check can fail: an image without a text alternative is reported."""
    page.goto(f"{base_url}{ARTICLE}.html")
    page.evaluate("document.querySelector('article').append(document.createElement('img'))")
    assert any(v.startswith("image-alt") for v in run_axe(page))


def test_screenshots_of_an_article(browser, base_url, artifacts):
    shots = {
        "article-desktop.png": (DESKTOP, "light"),
        "article-phone.png": (PHONE, "light"),
        "article-dark.png": (DESKTOP, "dark"),
    }
    for name, (viewport, theme) in shots.items():
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.on("request", lambda request: REQUESTS.append(request.url))
        page.goto(f"{base_url}{ARTICLE}.html")
        page.evaluate("theme => { document.body.dataset.theme = theme; }", theme)
        page.locator(".kb-term > a").first.hover()
        page.screenshot(path=artifacts / name, full_page=True)
        context.close()
        assert (artifacts / name).stat().st_size > 10_000


# -- Answer first, on a phone --------------------------------------------------------

ARTICLES = sorted(
    f"{schema.ARTICLES_DIR}/{p.stem}"
    for p in paths.ARTICLES.glob("*.md")
    if schema.is_article_docname(f"{schema.ARTICLES_DIR}/{p.stem}")
)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.on("request", lambda request: REQUESTS.append(request.url))
    yield page
    context.close()


@pytest.mark.parametrize("article", ARTICLES)
def test_title_summary_and_key_points_fill_the_first_phone_screen(phone, base_url, article):
    phone.goto(f"{base_url}{article}.html")
    h1 = phone.locator("article h1")
    assert float(h1.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) <= 28
    summary = phone.locator("article .kb-summary")
    key_points = phone.locator("article .kb-key-takeaway")
    expect(key_points.locator(".admonition-title")).to_have_text("Key points")
    first_point = key_points.locator("p:not(.admonition-title), li").first
    for part in (h1, summary, phone.locator(".kb-facts-line"), first_point):
        box = part.bounding_box()
        assert box is not None and box["y"] + min(box["height"], 30) <= PHONE["height"], part
    # Key points and the evidence note are at body size.
    body = float(
        phone.evaluate(
            "parseFloat(getComputedStyle("
            "document.querySelector('article section section > p')).fontSize)"
        )
    )
    for box in (key_points, phone.locator("article .kb-evidence-note")):
        size = box.evaluate(
            "el => parseFloat(getComputedStyle("
            "el.querySelector('p:not(.admonition-title), li')).fontSize)"
        )
        assert size == body
    # The facts are one line under the summary, the dates at the foot.
    line = phone.locator(".kb-facts-line")
    assert line.locator(".kb-fact-evidence, .kb-fact-audience, .kb-fact-review").count() == 3
    foot = phone.locator("article .kb-article-foot")
    expect(foot).to_contain_text("Last reviewed")
    assert foot.bounding_box()["y"] > summary.bounding_box()["y"] + PHONE["height"]


@pytest.mark.parametrize("article", ARTICLES)
def test_first_tap_on_a_term_shows_its_definition_with_a_link(phone, base_url, article):
    url = f"{base_url}{article}.html"
    phone.goto(url)
    link = phone.locator(".kb-term > a").first
    definition = link.locator("xpath=following-sibling::span[@role='tooltip']").text_content()
    link.tap()
    expect(phone).to_have_url(url)
    popover = phone.locator("#kb-popover")
    expect(popover).to_be_visible()
    assert popover.locator(".kb-popover-text").text_content() == definition
    assert popover.locator("a").get_attribute("href") == link.evaluate("el => el.href")
    box = popover.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # Marked as a term: a dotted underline.
    assert link.evaluate("el => getComputedStyle(el).textDecorationStyle") == "dotted"
    phone.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    # A second tap follows the link.
    link.tap()
    expect(popover).to_be_visible()
    link.tap()
    expect(phone).to_have_url(re.compile(r"/glossary\.html#term-"))


@pytest.mark.parametrize("article", ARTICLES)
def test_tapping_a_citation_shows_its_source(phone, base_url, article):
    url = f"{base_url}{article}.html"
    phone.goto(url)
    cite = phone.locator("a.kb-cite").nth(1)
    source = cite.get_attribute("data-kb-source")
    assert source
    cite.tap()
    expect(phone).to_have_url(url)
    popover = phone.locator("#kb-popover")
    expect(popover.locator(".kb-popover-text")).to_have_text(source)
    expect(popover.locator("a")).to_have_attribute("href", re.compile(r"#"))
    phone.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    # Every citation is a 24 x 24 px target (WCAG 2.5.8).
    small = [
        b
        for b in phone.locator("a.kb-cite").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect()).map(r => [r.width, r.height])"
        )
        if b[0] < 24 or b[1] < 24
    ]
    assert small == []


def test_citation_preview_on_hover_and_keyboard_focus(page, base_url):
    page.goto(f"{base_url}{ARTICLE}.html")
    cite = page.locator("a.kb-cite").first
    popover = page.locator("#kb-popover")
    cite.hover()
    expect(popover).to_be_visible()
    expect(popover.locator(".kb-popover-text")).to_have_text(cite.get_attribute("data-kb-source"))
    page.mouse.move(0, 0)
    expect(popover).to_be_hidden()
    cite.focus()
    expect(popover).to_be_visible()
    expect(cite).to_have_accessible_description(cite.get_attribute("data-kb-source"))
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    expect(page).to_have_url(f"{base_url}{ARTICLE}.html")


# -- Calm pages ----------------------------------------------------------------------


def _rgb(css: str) -> tuple[float, ...]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)[:3]]
    return tuple(values)


def _contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    def luminance(rgb: tuple[float, ...]) -> float:
        def channel(c: float) -> float:
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, bl = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_card_and_tooltip_edges_stand_out(page, base_url, theme):
    page.goto(f"{base_url}index.html")
    page.evaluate("theme => { document.body.dataset.theme = theme; }", theme)
    background = _rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    card = _rgb(
        page.locator(".sd-card").first.evaluate("el => getComputedStyle(el).borderTopColor")
    )
    assert _contrast(card, background) >= 3
    page.goto(f"{base_url}{ARTICLE}.html")
    page.evaluate("theme => { document.body.dataset.theme = theme; }", theme)
    page.locator(".kb-term > a").first.hover()
    tooltip = page.locator(".kb-tooltip").first
    expect(tooltip).to_be_visible()
    edge = _rgb(tooltip.evaluate("el => getComputedStyle(el).borderTopColor"))
    assert _contrast(edge, background) >= 3
    text = _rgb(tooltip.evaluate("el => getComputedStyle(el).color"))
    fill = _rgb(tooltip.evaluate("el => getComputedStyle(el).backgroundColor"))
    assert _contrast(text, fill) >= 4.5


def test_home_page_has_one_navigation_and_one_crisis_notice(phone, base_url):
    phone.goto(f"{base_url}index.html")
    assert phone.locator("article .toctree-wrapper").count() == 0
    crisis = phone.get_by_text(re.compile(r"call or text\s+988"))
    visible = [
        b for b in crisis.all() if b.is_visible() and b.bounding_box()["y"] < PHONE["height"]
    ]
    assert len(visible) == 1


def test_page_contents_show_from_1280_px(page, base_url):
    page.goto(f"{base_url}{ARTICLE}.html")
    toc = page.locator(".toc-drawer")
    box = toc.bounding_box()
    assert box is not None and box["x"] + box["width"] <= DESKTOP["width"]
    expect(toc.locator(".toc-tree ul ul a").first).to_be_visible()


def test_print_shows_the_page_address_and_link_targets(page, base_url):
    page.goto(f"{base_url}{ARTICLE}.html")
    page.emulate_media(media="print")
    address = page.locator(".kb-print-address")
    expect(address).to_be_visible()
    expect(address).to_contain_text(f"/{ARTICLE}.html")
    link = page.locator("article a[data-kb-print-href]").first
    target = link.get_attribute("data-kb-print-href")
    assert target.startswith(("https://", base_url))
    after = link.evaluate("el => getComputedStyle(el, '::after').content")
    assert target in after
    page.emulate_media(media="screen")
    expect(address).to_be_hidden()


def test_screenshots_of_every_page(browser, base_url, pages, artifacts):
    """Every page at both widths, light and dark, for a person to compare
    with the NHS.uk and MedlinePlus patterns (test-artifacts/pages/)."""
    folder = artifacts / "pages"
    folder.mkdir(exist_ok=True)
    for viewport, touch in ((PHONE, True), (DESKTOP, False)):
        for theme in ("light", "dark"):
            context = browser.new_context(viewport=viewport, has_touch=touch, color_scheme=theme)
            page = context.new_page()
            page.on("request", lambda request: REQUESTS.append(request.url))
            for path in pages:
                page.goto(base_url + path)
                page.evaluate("theme => { document.body.dataset.theme = theme; }", theme)
                stem = path.removesuffix(".html").replace("/", "_")
                name = f"{stem}-{viewport['width']}-{theme}.png"
                page.screenshot(path=folder / name)
                assert (folder / name).stat().st_size > 5_000
            context.close()


def test_no_request_leaves_the_origin(page, base_url, pages):
    """Runs last: every page, plus every request made by the tests above
    (search, tooltips, dark mode, phone width, axe, screenshots)."""
    for path in pages:
        page.goto(base_url + path)
    origin = urlsplit(base_url).netloc
    outside = sorted({u for u in REQUESTS if urlsplit(u).netloc not in (origin, "")})
    assert REQUESTS
    assert outside == []

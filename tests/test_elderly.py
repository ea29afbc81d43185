"""Elderly-friendly use (适老化, after MIIT's rules for web sites) in a real browser: the header
leaves the screen to the content, nothing scrolls sideways, large text keeps a line height of at
least 1.3, controls are at least 44px, nothing pops up or moves, the phone menu folds and unfolds,
and articles can be read aloud with the browser's own speech synthesis.

Phones at 320x640 and 390x844, a tablet at 768x1024, a laptop at 1366x768 (and 683x384: that
laptop at 200% zoom), in Chinese and Korean, with the default and the large text.  The pages are
one of each template of the starter site (conftest's ``site``, served once per session); speech
synthesis is a stub that records what it is asked to say.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from test_browser import CHROMIUM

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")

THEME_JS = Path(__file__).resolve().parents[1] / "themes" / "jindallae" / "static" / "js"
SIZES = {"320": (320, 640), "390": (390, 844), "768": (768, 1024), "1366": (1366, 768)}
ZOOMED = (683, 384)  # 1366x768 at 200% zoom
LARGE = "try { localStorage.setItem('jindallae-text-size', 'large'); } catch (e) {}"
HEADER_SHARE = {False: 0.25, True: 0.35}  # of the screen height, default / large text


def templates(site: Path) -> dict[str, str]:
    """``{"<lang> <kind>": site-relative URL}``: one page of each template in each language."""
    found: dict[str, str] = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(("_reports/", "pagefind/")):
            continue
        html = path.read_text(encoding="utf-8")
        m = re.search(r'<body class="page-([\w-]+)', html)
        if not m:
            continue
        kind = m.group(1)
        if kind == "article" and 'class="article has-event' in html:
            kind = "event"
        if kind == "paginated":
            continue
        lang = "ko" if rel.startswith("ko/") else "zh"
        found.setdefault(f"{lang} {kind}", rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return found


@pytest.fixture(scope="module")
def pages(site) -> dict[str, str]:
    found = templates(site)
    for kind in ("home", "section", "article", "event", "calendar", "calendar-month", "search", "posters", "404"):
        assert f"zh {kind}" in found and f"ko {kind}" in found, kind
    return found


def context(browser, size: tuple[int, int], large: bool, **kw):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, **kw)
    if large:
        ctx.add_init_script(LARGE)
    return ctx


# ---------------------------------------------------------------------------------------------
# The header leaves the screen to the content


@pytest.mark.parametrize("large", [False, True], ids=["default", "large"])
@pytest.mark.parametrize("size", list(SIZES))
def test_header_leaves_the_screen_to_the_content(browser, site_url, pages, size, large):
    """The header band ends within the first quarter of the screen (a third and a bit with large
    text); the page's heading follows within a breadcrumb row."""
    width, height = SIZES[size]
    ctx = context(browser, (width, height), large)
    problems = []
    try:
        page = ctx.new_page()
        for name in ("zh home", "ko home", "zh article", "ko article", "zh calendar-month", "ko event", "zh search"):
            page.goto(f"{site_url}/{pages[name]}", wait_until="load")
            assert page.evaluate("document.documentElement.classList.contains('large-text')") == large
            bottom, heading = page.evaluate("""() => {
                const h = document.querySelector('.site-header').getBoundingClientRect().bottom;
                const first = [...document.querySelectorAll('main h1, main h2')].find(e => e.getBoundingClientRect().height > 1);
                return [h, first ? first.getBoundingClientRect().top : h]; }""")
            if bottom > height * HEADER_SHARE[large] + 0.5:
                problems.append(f"{name}: header {bottom:.0f}px = {bottom / height:.0%} of {height}px")
            if heading - bottom > (90 if large else 75):
                problems.append(f"{name}: heading starts {heading - bottom:.0f}px below the header")
    finally:
        ctx.close()
    assert problems == []


# ---------------------------------------------------------------------------------------------
# Nothing scrolls sideways


@pytest.mark.parametrize("large", [False, True], ids=["default", "large"])
@pytest.mark.parametrize("size", [*SIZES, "200%"])
def test_no_horizontal_scrolling(browser, site_url, pages, size, large):
    ctx = context(browser, SIZES.get(size, ZOOMED), large)
    wide = []
    try:
        page = ctx.new_page()
        for name, rel in pages.items():
            page.goto(f"{site_url}/{rel}", wait_until="load")
            for opened in (False, True):
                if opened:
                    if not page.locator("button.menu-toggle").is_visible():
                        break
                    page.click("button.menu-toggle")
                scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if scroll > inner:
                    wide.append((name, "menu open" if opened else "", scroll))
    finally:
        ctx.close()
    assert wide == []


# ---------------------------------------------------------------------------------------------
# Large text: line height, sizes


LINE_HEIGHTS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
    if (el.closest('.visually-hidden, [aria-hidden="true"]')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim());
    if (!own) continue;
    const s = getComputedStyle(el), size = parseFloat(s.fontSize), lh = s.lineHeight;
    const ratio = lh === 'normal' ? 0 : parseFloat(lh) / size;
    if (ratio < 1.3) out.push(`${el.tagName.toLowerCase()}.${el.className} ${lh}/${size}px`);
  }
  return [...new Set(out)];
}"""


@pytest.mark.parametrize("lang", ["zh", "ko"])
def test_large_text_keeps_a_line_height_of_13(browser, site_url, pages, lang):
    ctx = context(browser, SIZES["390"], True)
    problems = {}
    try:
        page = ctx.new_page()
        for name, rel in pages.items():
            if not name.startswith(lang + " "):
                continue
            page.goto(f"{site_url}/{rel}" + ("?q=" + ("健康" if lang == "zh" else "건강") if name.endswith("search") else ""),
                      wait_until="load")
            if name.endswith("search"):
                page.wait_for_selector(".pagefind-ui__result", timeout=15000)
            page.click("button.menu-toggle")
            found = page.evaluate(LINE_HEIGHTS)
            if found:
                problems[name] = found[:5]
            size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.article-body p, .entry-summary, main > p:not([class])') || document.body).fontSize)")
            assert size >= 22, f"{name}: text {size}px with large text"
    finally:
        ctx.close()
    assert problems == {}


# ---------------------------------------------------------------------------------------------
# Targets


TARGETS = """() => [...document.querySelectorAll('a[href], button, input, select, summary, [role=button]')].filter(e => {
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  if (r.width === 0 || r.height === 0 || s.visibility === 'hidden') return false;
  if (e.closest('.visually-hidden') || e.matches('.skip-link')) return false;
  return s.display !== 'inline';  // links inside running text are exempt (WCAG 2.5.8)
}).filter(e => { const r = e.getBoundingClientRect(); return r.height < 43.5 || r.width < 43.5; })
  .map(e => `${e.tagName.toLowerCase()}.${e.className} "${(e.innerText || e.value || '').slice(0, 20)}" ${Math.round(e.getBoundingClientRect().width)}x${Math.round(e.getBoundingClientRect().height)}`)"""


@pytest.mark.parametrize("large", [False, True], ids=["default", "large"])
@pytest.mark.parametrize("size", ["390", "1366"])
def test_controls_are_at_least_44px(browser, site_url, pages, size, large):
    ctx = context(browser, SIZES[size], large)
    small = {}
    try:
        page = ctx.new_page()
        for name, rel in pages.items():
            page.goto(f"{site_url}/{rel}" + ("?q=健康" if name == "zh search" else ""), wait_until="load")
            if name == "zh search":
                page.wait_for_selector(".pagefind-ui__result", timeout=15000)
            if page.locator("button.menu-toggle").is_visible():
                page.click("button.menu-toggle")
            found = page.evaluate(TARGETS)
            if found:
                small[name] = found[:6]
    finally:
        ctx.close()
    assert small == {}


# ---------------------------------------------------------------------------------------------
# No pop-ups, no motion


@pytest.mark.parametrize("size", ["390", "1366"])
def test_nothing_pops_up_or_moves(browser, site_url, pages, size):
    ctx = context(browser, SIZES[size], False)
    ctx.add_init_script("""window.__popups = [];
      for (const f of ['alert', 'confirm', 'prompt', 'open']) window[f] = (...a) => { window.__popups.push(f); return null; };""")
    problems = {}
    try:
        page = ctx.new_page()
        for name, rel in pages.items():
            page.goto(f"{site_url}/{rel}", wait_until="load")
            page.wait_for_timeout(50)
            found = page.evaluate("""() => {
              const out = [...window.__popups];
              for (const el of document.querySelectorAll('*')) {
                const s = getComputedStyle(el);
                if (s.animationName !== 'none') out.push('animation ' + el.className);
                if (s.position === 'fixed' && el.getBoundingClientRect().height > 0) out.push('fixed ' + el.className);
                for (const t of s.transitionProperty.split(', '))
                  if (!['all', 'none', 'background-color', 'color'].includes(t) || (t === 'all' && parseFloat(s.transitionDuration) > 0))
                    out.push('transition ' + t + ' ' + el.className);
              }
              if (document.querySelector('dialog[open], [role=dialog], [role=alertdialog], marquee, video[autoplay], audio[autoplay]'))
                out.push('dialog or autoplay');
              if (getComputedStyle(document.documentElement).scrollBehavior === 'smooth') out.push('smooth scrolling');
              return [...new Set(out)];
            }""")
            if found:
                problems[name] = found[:5]
    finally:
        ctx.close()
    assert problems == {}


# ---------------------------------------------------------------------------------------------
# The phone menu


@pytest.mark.parametrize("lang", ["zh", "ko"])
def test_phone_menu_folds_and_unfolds(browser, site_url, lang):
    ctx = context(browser, SIZES["390"], False)
    try:
        page = ctx.new_page()
        page.goto(f"{site_url}/{'' if lang == 'zh' else 'ko/'}", wait_until="load")
        toggle = page.locator("button.menu-toggle")
        assert toggle.is_visible() and toggle.inner_text().strip() == {"zh": "菜单", "ko": "메뉴"}[lang]
        assert toggle.get_attribute("aria-controls") == "site-menu" and toggle.get_attribute("aria-expanded") == "false"
        # folded: the sections, the search and the contrast switch wait behind the button; the
        # language and the larger-text switch stay in view
        for selector in (".site-nav a", ".site-search", "button.contrast"):
            assert not page.locator(selector).first.is_visible(), selector
        for selector in (".lang-switch a", "button.text-size", ".site-id"):
            assert page.locator(selector).first.is_visible(), selector
        toggle.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator(".site-nav a").count() == 6
        for i in range(6):
            assert page.locator(".site-nav a").nth(i).is_visible()
        assert page.locator(".site-search input").is_visible() and page.locator("button.contrast").is_visible()
        page.keyboard.press("Tab")  # the menu's content follows its button
        assert page.evaluate("document.activeElement.closest('#site-menu, .contrast') !== null")
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "false" and not page.locator(".site-nav a").first.is_visible()
    finally:
        ctx.close()


def test_wide_screens_show_the_menu_without_a_button(browser, site_url):
    for size in (SIZES["1366"], ZOOMED):
        ctx = context(browser, size, False)
        try:
            page = ctx.new_page()
            page.goto(f"{site_url}/", wait_until="load")
            if size == ZOOMED:  # 683px: folded like a tablet
                assert page.locator("button.menu-toggle").is_visible()
                continue
            assert not page.locator("button.menu-toggle").is_visible()
            assert page.locator(".site-nav a").first.is_visible() and page.locator(".site-search input").is_visible()
            assert page.locator("button.contrast").is_visible() and page.locator("button.text-size").is_visible()
        finally:
            ctx.close()


# ---------------------------------------------------------------------------------------------
# Read aloud (stubbed speech synthesis)


def tts_stub(voices: list[dict] | None, later: bool = False) -> str:
    """An init script replacing window.speechSynthesis with a recorder.  ``voices``: what
    getVoices() returns (None: no speechSynthesis at all); ``later``: none until
    ``window.__ttsVoices()`` fires voiceschanged."""
    if voices is None:
        return "Object.defineProperty(window, 'speechSynthesis', {value: undefined, configurable: true});"
    return """(() => {
  const all = %s, later = %s;
  const log = window.__tts = {spoken: [], calls: []};
  const listeners = [];
  const synth = {
    speaking: false, paused: false, pending: false, current: null,
    getVoices() { log.calls.push('getVoices'); return later ? [] : all; },
    speak(u) { log.calls.push('speak'); log.spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name, rate: u.rate});
               this.current = u; this.speaking = true; },
    pause() { log.calls.push('pause'); this.paused = true; },
    resume() { log.calls.push('resume'); this.paused = false; },
    cancel() { log.calls.push('cancel'); const u = this.current; this.current = null; this.speaking = false; this.paused = false;
               if (u && u.onerror) u.onerror({error: 'interrupted'}); },
    addEventListener(type, f) { if (type === 'voiceschanged') listeners.push(f); },
  };
  window.__ttsEnd = () => { const u = synth.current; synth.current = null; synth.speaking = false; if (u && u.onend) u.onend({}); };
  window.__ttsVoices = () => { synth.getVoices = () => all; listeners.forEach(f => f({})); };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; this.voice = null; this.rate = 1; };
})();""" % (json.dumps(voices), json.dumps(later))


VOICES = [{"name": "Stub English", "lang": "en-US"}, {"name": "Stub Cantonese", "lang": "zh-HK"},
          {"name": "Stub Mandarin", "lang": "zh-CN"}, {"name": "Stub Korean", "lang": "ko-KR"}]
HIGHLIGHT = "(() => { const h = CSS.highlights.get('read-aloud'); return h ? [...h].map(r => r.toString()) : []; })()"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("lang, speech, voice", [("zh", "zh-CN", "Stub Mandarin"), ("ko", "ko-KR", "Stub Korean")])
def test_read_aloud(browser, site_url, pages, lang, speech, voice):
    ctx = context(browser, SIZES["390"], False)
    ctx.add_init_script(tts_stub(VOICES))
    try:
        page = ctx.new_page()
        page.goto(f"{site_url}/{pages[lang + ' article']}", wait_until="load")
        box = page.locator(".read-aloud")
        assert box.is_visible()
        main, stop = box.locator(".ra-main"), box.locator(".ra-stop")
        labels = {"zh": ("朗读全文", "暂停", "继续朗读"), "ko": ("소리 내어 읽기", "잠시 멈춤", "계속 읽기")}[lang]
        assert norm(main.inner_text()) == labels[0] and not stop.is_visible()
        main.click()
        spoken = page.evaluate("window.__tts.spoken")
        title = norm(page.locator("main h1").inner_text())
        assert spoken == [{"text": title, "lang": speech, "voice": voice, "rate": 0.9}]
        assert [norm(t) for t in page.evaluate(HIGHLIGHT)] == [title]
        assert norm(main.inner_text()) == labels[1] and stop.is_visible()
        # while reading, the controls stay at the bottom of the screen, large enough to hit
        bar = box.bounding_box()
        assert abs(bar["y"] + bar["height"] - SIZES["390"][1]) < 2
        assert main.bounding_box()["height"] >= 44 and stop.bounding_box()["height"] >= 44
        # sentence by sentence: the next one when the first has been said
        page.evaluate("window.__ttsEnd()")
        spoken = page.evaluate("window.__tts.spoken")
        assert len(spoken) == 2 and spoken[1]["lang"] == speech and spoken[1]["text"] != title
        first_text = norm(page.locator(".article-body p").first.inner_text())
        assert first_text.startswith(spoken[1]["text"]) or spoken[1]["text"] in norm(page.locator("article").inner_text())
        assert [norm(t) for t in page.evaluate(HIGHLIGHT)] == [spoken[1]["text"]]
        main.click()  # pause
        assert page.evaluate("window.__tts.calls").count("pause") == 1
        assert norm(main.inner_text()) == labels[2]
        main.click()  # continue
        assert page.evaluate("window.__tts.calls").count("resume") == 1 and norm(main.inner_text()) == labels[1]
        stop.click()
        assert "cancel" in page.evaluate("window.__tts.calls")
        assert page.evaluate(HIGHLIGHT) == [] and not stop.is_visible() and norm(main.inner_text()) == labels[0]
        assert not page.evaluate("document.documentElement.classList.contains('ra-on')")
        assert page.evaluate("window.__tts.spoken").__len__() == 2  # nothing more after stopping
    finally:
        ctx.close()


@pytest.mark.parametrize("voices", [None, [{"name": "Stub English", "lang": "en-US"}],
                                    [{"name": "Stub Cantonese", "lang": "zh-HK"}, {"name": "Stub Korean", "lang": "ko-KR"}]],
                         ids=["no-speech", "no-chinese-voice", "cantonese-only"])
def test_read_aloud_is_hidden_without_a_voice(browser, site_url, pages, voices):
    ctx = context(browser, SIZES["390"], False)
    ctx.add_init_script(tts_stub(voices))
    try:
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(exc))
        page.goto(f"{site_url}/{pages['zh article']}", wait_until="load")
        assert page.locator(".read-aloud").is_hidden() and errors == []
    finally:
        ctx.close()


def test_read_aloud_appears_when_the_voices_arrive(browser, site_url, pages):
    ctx = context(browser, SIZES["390"], False)
    ctx.add_init_script(tts_stub(VOICES, later=True))
    try:
        page = ctx.new_page()
        page.goto(f"{site_url}/{pages['ko article']}", wait_until="load")
        assert page.locator(".read-aloud").is_hidden()
        page.evaluate("window.__ttsVoices()")
        assert page.locator(".read-aloud").is_visible()
    finally:
        ctx.close()


def test_read_aloud_is_static_and_local(site, pages):
    js = (THEME_JS / "read-aloud.js").read_text(encoding="utf-8")
    assert not re.search(r"https?://|import\s|require\(|fetch\(|XMLHttpRequest|eval\(", js)
    html = (site / pages["zh article"] / "index.html").read_text(encoding="utf-8")
    assert '<script src="/theme/js/read-aloud.js" defer></script>' in html
    assert re.search(r'<div class="read-aloud" hidden data-lang="zh-CN"', html)
    ko = (site / pages["ko article"] / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<div class="read-aloud" hidden data-lang="ko-KR"', ko)

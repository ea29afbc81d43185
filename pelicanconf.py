# Site settings for Jindallae (read by `jindallae build`; validated at start-up: an unknown key
# or a wrong value stops the build naming the key).  Engine settings (URL layout, readers) are
# fixed by Jindallae and may not be set here.

SITENAME = "吉林人口文化"
SITEURL = ""  # root-relative links for local builds; publishconf.py sets the public URL
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
THEME = "themes/jindallae"
PLUGINS = ["cjk_markdown", "multilingual", "images", "event_calendar", "reports", "search", "posters"]

# Languages: the default is served at /, the others under /<code>/.  Adding a language is an
# entry here, a catalogue in themes/<theme>/translations/<code>/ and, for languages other than
# zh and ko, section names in JINDALLAE_SECTION_NAMES.
JINDALLAE_LANGUAGES = {
    "zh": {"hreflang": "zh-Hans", "locale": "zh_Hans_CN", "name": "中文", "sitename": "吉林人口文化"},
    "ko": {"hreflang": "ko", "locale": "ko_KR", "name": "한국어", "sitename": "길림 인구문화"},
}
JINDALLAE_PUBLIC_URL = "http://localhost:8000"

MULTILINGUAL_PAGE_SIZE = 20
MULTILINGUAL_SHARE_IMAGE = "images/jindallae-azalea.jpg"  # og:image of pages without a cover
FEED_MAX_ITEMS = 20
SEARCH_ENABLED = True  # Pagefind search pages and index (plugins/search)

# Posters (plugins/posters): formats and templates in themes/jindallae/posters/.
POSTERS_DEFAULT_FORMATS = ["A2", "rollup"]
POSTERS_BILINGUAL_ORDER = ["ko", "zh"]  # Korean first (top, larger), as Yanbian's signage rules ask
POSTERS_BILINGUAL_SCALE = 0.75  # the second language's type size relative to the first
POSTERS_CMYK = False  # True: also a CMYK PDF for the print shop (POSTERS_CMYK_PROFILE)

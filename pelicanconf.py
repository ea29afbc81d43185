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

# Site identity (header and footer; themes/jindallae/README.md).  Each item is shown only when set;
# text is one string, or {language: text} where it differs.  Images: under content/ (images/x.png)
# or the theme's (theme/img/x.svg).  EVERY VALUE BELOW IS A FICTITIOUS PLACEHOLDER ("示例" /
# "예시", zero record numbers): replace them with the site's registered details before publishing.
SITE_OFFICE = {"zh": "吉林省人口文化宣传中心（示例）", "ko": "길림성 인구문화선전센터 (예시)"}
SITE_EMBLEM = {"image": "theme/img/emblem.svg", "alt": ""}  # alt "": the office name stands beside it
SITE_BANNER = "theme/img/banner.svg"
SITE_ORGANIZER = {"zh": "吉林省人口文化示例单位", "ko": "길림성 인구문화 예시 기관"}        # 主办单位
SITE_OPERATOR = {"zh": "延边州人口文化示例中心", "ko": "연변주 인구문화 예시 센터"}          # 承办单位
SITE_CONTACT = {"phone": "0431-0000 0000", "email": "contact@jindallae.example",
                "address": {"zh": "吉林省长春市示例路 0 号", "ko": "길림성 장춘시 예시로 0호"}}
SITE_ICP = "吉ICP备00000000号-1"                                                      # ICP备案号
SITE_PSB = {"number": "吉公网安备22000000000000号",                                     # 公安备案
            "url": "https://beian.mps.gov.cn/#/query/webSearch?code=22000000000000"}
SITE_GOV_CODE = "0000000000"                                                          # 网站标识码
SITE_GOV_BADGE = {"image": "theme/img/gov-badge-sample.svg",                          # 党政机关网站标识
                  "url": "https://bszs.conac.cn/sitename?method=show&id=00000000000000000000000000000000",
                  "alt": {"zh": "党政机关网站标识（示例）", "ko": "당정기관 사이트 표식 (예시)"}}

"""plugins/images: resized WebP + JPEG copies without metadata, <picture> markup with srcset,
sizes, width and height, and a content-hash cache that makes an unchanged image free."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from jindallae.build import build
from site_helpers import make_project, md, soup_of, url_to_file, write_files

ORIENTATION, GPS_IFD = 0x0112, 0x8825


def photo_with_exif(size=(1600, 900), orientation=1) -> bytes:
    """A JPEG with an EXIF orientation (1: upright, 6: turn a quarter clockwise to show) and a
    GPS position, like a phone photo."""
    im = Image.linear_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (42.0, 53.0, 0.0), 3: "E", 4: (129.0, 30.0, 0.0)})
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif, quality=90)
    return buf.getvalue()


def small_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (300, 200), (10, 120, 200, 128)).save(buf, "PNG")
    return buf.getvalue()


FILES = {
    "images/photo.jpg": None,  # filled in the fixture
    "images/small.png": None,
    "news/tu-pian.zh.md": md("title: 图片\ndate: 2024-01-05\ncover: images/photo.jpg\ncover_alt: 封面",
                             "第一段。\n\n![正文图片](../images/photo.jpg)\n\n![小图](../images/small.png)\n"),
    "news/xuan-zhuan.zh.md": md("title: 竖拍\ndate: 2024-01-06", "![竖拍照片](../images/rotated.jpg)\n"),
}


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("images") / "project")
    files = dict(FILES, **{"images/photo.jpg": photo_with_exif(), "images/small.png": small_png(),
                           "images/rotated.jpg": photo_with_exif(orientation=6)})
    write_files(root / "content", files)
    out = root / "build"
    build(root, output=out, progress=False)
    return root, out


def page(out: Path):
    return soup_of(out / "news" / "tu-pian" / "index.html")


def test_source_photo_really_has_exif():
    im = Image.open(io.BytesIO(photo_with_exif()))
    assert im.getexif()[ORIENTATION] == 1 and im.getexif().get_ifd(GPS_IFD)


def test_derived_files_at_the_widths_never_upscaled_without_metadata(fx):
    _root, out = fx
    derived = sorted(p.name for p in (out / "images").iterdir() if p.name.startswith("photo."))
    sizes = {}
    for name in derived:
        if name == "photo.jpg":
            continue
        with Image.open(out / "images" / name) as im:
            assert not im.getexif(), name
            assert "exif" not in im.info and "icc_profile" not in im.info and "xmp" not in im.info, name
            sizes[(im.format, im.size)] = name
    assert set(sizes) == {("WEBP", (480, 270)), ("WEBP", (800, 450)), ("WEBP", (1200, 675)), ("WEBP", (1600, 900)),
                          ("JPEG", (480, 270)), ("JPEG", (800, 450)), ("JPEG", (1200, 675))}
    assert (out / "images" / "photo.jpg").is_file()  # the original: the largest fallback
    # 300 px wide: nothing narrower than the original in IMAGES_WIDTHS but itself, as WebP
    small = sorted(p.name for p in (out / "images").iterdir() if p.name.startswith("small."))
    assert len(small) == 2 and "small.png" in small
    webp = next(name for name in small if name != "small.png")
    assert webp.endswith(".300.webp")
    with Image.open(out / "images" / webp) as im:
        assert im.size == (300, 200) and im.mode == "RGBA"


def test_picture_markup_of_cover_and_body_images(fx):
    _root, out = fx
    s = page(out)
    pictures = s.find_all("picture")
    assert len(pictures) == 3
    cover, body, small = pictures
    assert cover.find_parent("figure", class_="cover")
    img = cover.img
    assert img["fetchpriority"] == "high" and not img.get("loading")
    assert (img["width"], img["height"]) == ("1600", "900")
    for pic in (body, small):
        assert pic.img["loading"] == "lazy"
        assert pic.find_parent(class_="article-body")
    assert body.img["alt"] == "正文图片" and body.img["src"] == "/images/photo.jpg"
    assert int(body.img["width"]) * 9 == int(body.img["height"]) * 16
    assert (small.img["width"], small.img["height"]) == ("300", "200")
    for pic in pictures:
        source = pic.source
        assert source["type"] == "image/webp" and source["sizes"] and pic.img["sizes"]
        for srcset in (source["srcset"], pic.img["srcset"]):
            for part in srcset.split(","):
                url, width = part.split()
                f = url_to_file(out, "http://localhost:8000" + url)
                assert f is not None and f.is_file(), url
                with Image.open(f) as im:
                    assert f"{im.width}w" == width, (url, width)
    widths = [p.split()[1] for p in body.img["srcset"].split(",")]
    assert widths == ["480w", "800w", "1200w", "1600w"]


def test_exif_orientation_is_applied_to_copies_and_sizes(fx):
    _root, out = fx
    img = soup_of(out / "news" / "xuan-zhuan" / "index.html").select_one(".article-body picture img")
    assert (img["width"], img["height"]) == ("900", "1600")  # shown upright: portrait
    copies = {}
    for f in (out / "images").glob("rotated.*.*"):
        with Image.open(f) as im:
            assert not im.getexif()
            copies[(im.format, im.size)] = f.name
    assert set(copies) == {("WEBP", (480, 853)), ("WEBP", (800, 1422)), ("WEBP", (900, 1600)),
                           ("JPEG", (480, 853)), ("JPEG", (800, 1422))}


def test_list_cover_is_lazy_and_sized(fx):
    _root, out = fx
    s = soup_of(out / "news" / "index.html")
    img = s.select_one("img.entry-cover")
    assert img.find_parent("picture") and img["loading"] == "lazy"
    assert (img["width"], img["height"]) == ("480", "270")
    assert img["sizes"] == "7rem"  # a thumbnail beside the title: the 480 px copy is plenty


def test_cards_and_thumbnails_ask_for_different_sizes(site):
    home = soup_of(site / "index.html")
    cards = home.select(".entries.cards img.entry-cover")
    thumbs = home.select(".entries:not(.cards) img.entry-cover")
    assert cards and thumbs
    assert {i["sizes"] for i in cards} == {"(min-width: 40em) 24rem, 100vw"}
    assert {i["sizes"] for i in thumbs} == {"7rem"}
    assert all(i.find_parent("picture").source["sizes"] == i["sizes"] for i in cards + thumbs)


def test_second_build_does_no_image_work(fx):
    root, out = fx
    cache = root / ".cache" / "images"
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(before) == 13  # 7 copies of photo.jpg, 1 of small.png, 5 of rotated.jpg
    build(root, output=out, progress=False, force=True)
    after = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert after == before
    # the output's copies are the cache's files (hard links), not new encodes
    webp = next((out / "images").glob("photo.*.480.webp"))
    assert webp.stat().st_ino in {p.stat().st_ino for p in cache.iterdir()}


def test_changed_image_is_encoded_again(fx, tmp_path):
    root, out = fx
    cache = root / ".cache" / "images"
    before = set(p.name for p in cache.iterdir())
    (root / "content" / "images" / "small.png").write_bytes(
        (lambda b: (Image.new("RGB", (320, 160), (1, 2, 3)).save(b, "PNG"), b.getvalue())[1])(io.BytesIO()))
    build(root, output=out, progress=False)
    new = set(p.name for p in cache.iterdir()) - before
    assert len(new) == 1 and next(iter(new)).endswith("-320.webp")
    assert soup_of(out / "news" / "tu-pian" / "index.html").find_all("picture")[2].img["width"] == "320"


def test_starter_site_srcsets_resolve(site):
    count = 0
    for f in site.rglob("*.html"):
        for el in soup_of(f).find_all(srcset=True):
            for part in el["srcset"].split(","):
                url = part.split()[0]
                target = url_to_file(site, "http://localhost:8000" + url)
                assert target is not None and target.is_file(), (f, url)
                count += 1
    assert count > 100
    for img in soup_of(site / "index.html").find_all("img"):
        assert img.get("width") and img.get("height"), img


def test_settings_are_checked():
    from jindallae.settings import plugin_schema

    prefix, schema = plugin_schema("images")
    assert prefix == "IMAGES_"
    assert schema["IMAGES_WIDTHS"].check([480, 800]) is None
    for bad in ([0], [], ["480"], 480, [True]):
        assert schema["IMAGES_WIDTHS"].check(bad), bad
    assert schema["IMAGES_QUALITY"].check(80) is None and schema["IMAGES_QUALITY"].check(0)

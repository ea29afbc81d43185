"""Image upload of the CMS (issue 7 item 5, case W5; OWASP ASVS V12 files and resources)."""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageFile

from cms_helpers import csrf, db_rows, git, login, make_cms
from site_helpers import tree_hashes

NEWS = {"news/a.zh.md": "---\ntitle: 甲\ndate: 2026-01-01\n---\n正文。\n"}
RED, BLUE = (220, 20, 30), (20, 40, 220)
GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture
def cms(tmp_path):
    app, client = make_cms(tmp_path, users={"ed": {"roles": ["editor"], "display_name": "金编辑", "email": "jin@example.invalid"},
                                            "rev": ["reviewer"]}, content_files=NEWS)
    login(client, "ed")
    return app, client


def phone_photo() -> bytes:
    """A JPEG as a phone writes it when held upright: the sensor's pixels are landscape (60x40),
    EXIF orientation 6 says 'rotate 90° clockwise to view', and EXIF carries a GPS position.
    A blue marker sits in the stored top-left corner; everything else is red."""
    image = Image.new("RGB", (60, 40), RED)
    image.paste(BLUE, (0, 0, 12, 12))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (42.0, 54.0, 18.0)  # Yanji
    gps[3] = "E"
    gps[4] = (129.0, 30.0, 36.0)
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif, quality=95)
    return buf.getvalue()


def bomb_png(side: int = 20000) -> bytes:
    """A valid PNG header of ``side`` x ``side`` 1-bit pixels whose data is a few KB of zlib
    (every row zero): 400 megapixels that would take 400 MB to decode as 8-bit."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (side + 7) // 8)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def upload(client, data: bytes, name: str, alt: str | None = "延吉公园的金达莱", json: bool = True):
    form = {"csrf_token": csrf(client), "file": (io.BytesIO(data), name)}
    if alt is not None:
        form["alt"] = alt
    headers = {"Accept": "application/json"} if json else {}
    return client.post("/media/upload", data=form, content_type="multipart/form-data", headers=headers)


def project_files(app) -> dict[str, str]:
    """Every file of the project except the database and git internals."""
    root = Path(app.config["PROJECT_DIR"])
    return {k: v for k, v in tree_hashes(root).items() if not k.startswith(("instance/", ".git/"))}


def commits(app) -> int:
    return int(git(Path(app.config["PROJECT_DIR"]), "rev-list", "--count", "HEAD").strip())


def year() -> int:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).year


def test_W5_phone_photo_stored_upright_without_exif_or_gps(cms):
    app, client = cms
    source = phone_photo()
    original = Image.open(io.BytesIO(source))
    assert original.getexif()[ORIENTATION] == 6 and original.getexif().get_ifd(GPS_IFD)[1] == "N"  # the test input is real
    r = upload(client, source, "IMG_0001.JPG")
    assert r.status_code == 201, r.get_data(as_text=True)
    data = r.get_json()
    assert data["path"].startswith(f"images/{year()}/img-0001-") and data["path"].endswith(".jpg")
    assert data["markdown"] == f"![延吉公园的金达莱](../{data['path']})"
    assert (data["width"], data["height"]) == (40, 60)
    stored = Path(app.config["CONTENT_DIR"]) / data["path"]
    raw = stored.read_bytes()
    image = Image.open(stored)
    assert image.format == "JPEG" and image.size == (40, 60)  # upright: portrait
    # The marker was in the stored top-left; turned 90° clockwise it is now top-right.
    px = image.convert("RGB")
    def near(a, b):
        return all(abs(x - y) < 40 for x, y in zip(a, b))
    assert near(px.getpixel((34, 5)), BLUE)
    assert near(px.getpixel((5, 5)), RED) and near(px.getpixel((5, 54)), RED) and near(px.getpixel((34, 54)), RED)
    # No metadata at all: no EXIF block (so no GPS, no orientation), no ICC profile.
    assert len(image.getexif()) == 0 and "exif" not in image.info and "icc_profile" not in image.info
    assert b"Exif" not in raw and b"PhoneMaker" not in raw
    # Committed with the user as author, touching only the image.
    root = Path(app.config["PROJECT_DIR"])
    assert git(root, "log", "-1", "--format=%an <%ae>|%s").strip() == f"金编辑 <jin@example.invalid>|Upload image {data['path']}"
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == [f"content/{data['path']}"]
    assert [r["action"] for r in db_rows(app, "SELECT action FROM audit_log ORDER BY id")][-1] == "upload"


def test_W5_alt_text_required(cms):
    app, client = cms
    before, count = project_files(app), commits(app)
    for alt in (None, "", "   "):
        r = upload(client, phone_photo(), "a.jpg", alt=alt)
        assert r.status_code == 400
        assert "替代文字" in r.get_json()["error"]
    assert project_files(app) == before and commits(app) == count
    r = upload(client, phone_photo(), "a.jpg", alt="", json=False)  # the plain form keeps the page
    assert r.status_code == 400 and 'id="upload-alt"' in r.get_data(as_text=True)


def test_W5_path_traversal_name_is_never_a_path(cms):
    """A real JPEG named ../../etc/passwd.jpg is stored under a generated name inside
    content/images/<year>/ (the name is only a slug hint); the same name on a non-image is
    refused.  Nothing is written anywhere else."""
    app, client = cms
    before = project_files(app)
    r = upload(client, phone_photo(), "../../etc/passwd.jpg")
    assert r.status_code == 201
    path = r.get_json()["path"]
    assert path.startswith(f"images/{year()}/passwd-") and ".." not in path
    after = project_files(app)
    assert set(after) - set(before) == {f"content/{path}"}
    assert all(after[k] == v for k, v in before.items())
    r = upload(client, b"root:x:0:0:root:/root:/bin/bash\n", "../../etc/passwd.jpg")
    assert r.status_code == 400 and "不是图片" in r.get_json()["error"]
    r = upload(client, phone_photo(), "..\\..\\windows\\evil.jpg")
    assert r.status_code == 201 and re.fullmatch(rf"images/{year()}/[a-z0-9-]+-[0-9a-f]{{8}}\.jpg", r.get_json()["path"])
    assert set(project_files(app)) - set(after) == {"content/" + r.get_json()["path"]}


def test_W5_text_file_renamed_jpg_refused(cms):
    app, client = cms
    before, count = project_files(app), commits(app)
    r = upload(client, "这不是照片，只是一段文字。\n".encode() * 20, "photo.jpg")
    assert r.status_code == 400
    assert "不是图片" in r.get_json()["error"]
    assert project_files(app) == before and commits(app) == count
    assert db_rows(app, "SELECT action, target FROM audit_log ORDER BY id DESC LIMIT 1") == \
        [{"action": "upload_refused", "target": "photo.jpg"}]


def test_W5_decompression_bomb_refused_before_decoding(cms, monkeypatch):
    """A 20000x20000 PNG (about 50 KB of zlib) is refused from its header: no pixel is decoded."""
    app, client = cms
    bomb = bomb_png()
    assert len(bomb) < 200_000
    assert Image.open.__module__  # sanity: the header really says 20000x20000
    header = struct.unpack(">II", bomb[16:24])
    assert header == (20000, 20000)
    decoded = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or original_load(self))
    before = project_files(app)
    r = upload(client, bomb, "poster.png")
    assert r.status_code == 400
    assert "解压炸弹" in r.get_json()["error"]
    assert decoded == []
    assert project_files(app) == before


def test_W5_pixel_limit_from_config(tmp_path):
    """Below Pillow's own bomb limit, UPLOAD_MAX_PIXELS still applies, with the size named."""
    app, client = make_cms(tmp_path, users={"ed": ["editor"]}, content_files=NEWS, config={"UPLOAD_MAX_PIXELS": 5000})
    login(client, "ed")
    buf = io.BytesIO()
    Image.new("RGB", (100, 80), RED).save(buf, "PNG")
    r = upload(client, buf.getvalue(), "big.png")
    assert r.status_code == 400 and "100 × 80" in r.get_json()["error"]


def test_W5_oversized_file_refused(tmp_path):
    app, client = make_cms(tmp_path, users={"ed": ["editor"]}, content_files=NEWS, config={"UPLOAD_MAX_BYTES": 50_000})
    login(client, "ed")
    before = project_files(app)
    big = io.BytesIO()
    Image.effect_noise((400, 400), 80).convert("RGB").save(big, "PNG")  # noise does not compress
    assert 50_000 < len(big.getvalue()) < 1_000_000
    r = upload(client, big.getvalue(), "noise.png")  # over the file limit, under the request limit
    assert r.status_code == 413 and "48.8 KB" in r.get_json()["error"]
    assert "文件超过" in r.get_json()["error"]
    r = upload(client, b"\xff\xd8" + b"\0" * 1_200_000, "huge.jpg")  # over the request limit: Flask's 413
    assert r.status_code == 413 and "文件超过" in r.get_json()["error"]
    assert project_files(app) == before


def test_other_formats(cms):
    app, client = cms
    rgba = Image.new("RGBA", (30, 20), (0, 128, 0, 100))
    for fmt, ext in (("PNG", "png"), ("WEBP", "webp")):
        buf = io.BytesIO()
        rgba.save(buf, fmt)
        r = upload(client, buf.getvalue(), f"logo.{ext}")
        assert r.status_code == 201, r.get_data(as_text=True)
        stored = Image.open(Path(app.config["CONTENT_DIR"]) / r.get_json()["path"])
        assert stored.format == fmt and stored.size == (30, 20) and stored.mode == "RGBA"
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), RED).save(buf, "GIF")
    r = upload(client, buf.getvalue(), "anim.gif")
    assert r.status_code == 400 and "GIF" in r.get_json()["error"]


def test_alt_text_markdown_escaped(cms):
    _app, client = cms
    r = upload(client, phone_photo(), "x.jpg", alt="图 [1]\n说明")
    assert r.get_json()["markdown"].startswith("![图 \\[1\\] 说明](../images/")


def test_upload_page_form_post(cms):
    app, client = cms
    page = client.get("/media/upload").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'for="upload-alt"' in page
    r = upload(client, phone_photo(), "x.jpg", json=False)
    assert r.status_code == 201
    page = r.get_data(as_text=True)
    assert "![延吉公园的金达莱](../images/" in page
    src = page.split('class="preview-img" src="')[1].split('"')[0]
    img = client.get(src)
    assert img.status_code == 200 and Image.open(io.BytesIO(img.data)).size == (40, 60)


def test_media_file_stays_in_images(cms):
    _app, client = cms
    for bad in ("../news/a.zh.md", "..%2Fnews%2Fa.zh.md", "../../pelicanconf.py"):
        assert client.get(f"/media/file/{bad}").status_code == 404


def test_upload_permissions(tmp_path):
    app, client = make_cms(tmp_path, users={"rev": ["reviewer"], "tr": ["translator"]}, content_files=NEWS)
    r = client.get("/media/upload")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    login(client, "rev")
    assert client.get("/media/upload").status_code == 403
    assert upload(client, phone_photo(), "x.jpg").status_code == 403
    login(client, "tr")
    assert upload(client, phone_photo(), "x.jpg").status_code == 201


def test_uploads_at_once_all_committed(cms):
    """Four uploads in parallel threads (and the content side's writers) share one git lock:
    every image is stored and committed, none fails on git's index.lock."""
    import threading

    app, _client = cms
    results = []

    def one(i):
        client = app.test_client()
        login(client, "ed")
        results.append(upload(client, phone_photo(), f"p{i}.jpg"))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results) == [201] * 4
    paths = {"content/" + r.get_json()["path"] for r in results}
    root = Path(app.config["PROJECT_DIR"])
    logged = set(git(root, "log", "--name-only", "--format=", "-4").split())
    assert logged == paths

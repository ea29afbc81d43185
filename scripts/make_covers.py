#!/usr/bin/env python3
"""Draw the illustrative cover images used by the starter content.

Writes 16 JPEG files (1200x675, quality 80) into content/images/. Pillow only,
no fonts and no text: every picture is built from gradients and simple shapes
in one palette (azalea pink/magenta, mountain blue, warm gold). The output is
deterministic: each picture uses its own seeded random generator, and pictures
are drawn at twice the size and scaled down for smooth edges.

Usage: python scripts/make_covers.py [OUTDIR]
"""

import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

W, H = 1200, 675
S = 2  # supersampling factor

# Palette
PINK = (231, 90, 155)
MAGENTA = (194, 24, 91)
LIGHT_PINK = (248, 200, 220)
BLUSH = (252, 228, 236)
BLUE = (47, 75, 124)
MID_BLUE = (74, 111, 165)
SKY = (191, 215, 234)
NAVY = (24, 36, 66)
GOLD = (242, 177, 52)
AMBER = (232, 140, 48)
CREAM = (255, 244, 224)
RED = (198, 40, 40)
GREEN = (94, 140, 97)
LEAF = (141, 181, 128)
DARK_GREEN = (52, 92, 68)
BROWN = (110, 72, 52)
WHITE = (255, 255, 255)


def mix(a, b, t):
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))


class Canvas:
    """A supersampled RGB picture with drawing helpers in 1200x675 units."""

    def __init__(self, stops, seed):
        self.img = vertical_gradient(stops)
        self.draw = ImageDraw.Draw(self.img, "RGBA")
        self.rng = random.Random(seed)

    # coordinates ---------------------------------------------------------
    @staticmethod
    def _pts(points):
        return [(x * S, y * S) for x, y in points]

    @staticmethod
    def _box(box):
        return [v * S for v in box]

    # shapes --------------------------------------------------------------
    def poly(self, points, fill, outline=None, width=1):
        self.draw.polygon(self._pts(points), fill=fill, outline=outline,
                          width=width * S)

    def ellipse(self, box, fill, outline=None, width=1):
        self.draw.ellipse(self._box(box), fill=fill, outline=outline,
                          width=width * S)

    def circle(self, cx, cy, r, fill, outline=None, width=1):
        self.ellipse((cx - r, cy - r, cx + r, cy + r), fill, outline, width)

    def rect(self, box, fill, radius=0, outline=None, width=1):
        if radius:
            self.draw.rounded_rectangle(self._box(box), radius * S, fill=fill,
                                        outline=outline, width=width * S)
        else:
            self.draw.rectangle(self._box(box), fill=fill, outline=outline,
                                width=width * S)

    def line(self, points, fill, width=2):
        self.draw.line(self._pts(points), fill=fill, width=round(width * S),
                       joint="curve")

    def pie(self, box, start, end, fill):
        self.draw.pieslice(self._box(box), start, end, fill=fill)

    def glow(self, cx, cy, radius, color, strength=1.0):
        """Soft radial light."""
        size = int(radius * 2 * S)
        mask = Image.radial_gradient("L").resize((size, size))
        # the gradient reaches 181 at the edge of the inscribed circle: fade
        # to zero there, with a smooth quadratic fall-off
        mask = mask.point(
            lambda v: int(255 * strength * max(0.0, 1 - v / 181) ** 2))
        layer = Image.new("RGB", (size, size), color)
        self.img.paste(layer, (int((cx - radius) * S), int((cy - radius) * S)),
                       mask)

    def blur_layer(self, paint, radius):
        """Paint on a transparent layer, blur it and lay it over the picture."""
        layer = Image.new("RGBA", self.img.size, (0, 0, 0, 0))
        d = ImageDraw.Draw(layer)
        paint(d)
        layer = layer.filter(ImageFilter.GaussianBlur(radius * S))
        base = self.img.convert("RGBA")
        base.alpha_composite(layer)
        self.img = base.convert("RGB")
        self.draw = ImageDraw.Draw(self.img, "RGBA")

    def save(self, path):
        out = self.img.resize((W, H), Image.LANCZOS)
        out.save(path, "JPEG", quality=80, optimize=True, progressive=True)


def vertical_gradient(stops):
    """stops: list of (position 0..1, colour)."""
    h = H * S
    column = []
    for y in range(h):
        t = y / (h - 1)
        for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
            if p0 <= t <= p1:
                column.append(mix(c0, c1, (t - p0) / (p1 - p0 or 1)))
                break
        else:
            column.append(stops[-1][1])
    col = Image.new("RGB", (1, h))
    col.putdata(column)
    return col.resize((W * S, h), Image.NEAREST)


# reusable motifs ---------------------------------------------------------

def ridge(c, base_y, amp, peaks, fill, seed_shift=0.0, jag=0.0):
    """A mountain ridge: a smooth sum of sines plus optional jaggedness."""
    pts = [(0, H)]
    for i in range(0, 121):
        x = i * W / 120
        y = base_y
        for k, (a, f, ph) in enumerate(peaks):
            y -= amp * a * math.sin(x / W * math.pi * f + ph + seed_shift)
        y += c.rng.uniform(-jag, jag)
        pts.append((x, y))
    pts.append((W, H))
    c.poly(pts, fill)
    return pts


def pine(c, x, base, h, fill):
    w = h * 0.42
    for k in range(3):
        top = base - h + k * h * 0.22
        bot = base - h * 0.25 + k * h * 0.12 - (2 - k) * h * 0.1
        half = w * (0.55 + k * 0.22)
        c.poly([(x, top), (x - half, bot), (x + half, bot)], fill)
    c.rect((x - h * 0.03, base - h * 0.28, x + h * 0.03, base), fill)


def round_tree(c, x, base, r, leaf, trunk=BROWN):
    c.rect((x - r * 0.12, base - r * 1.2, x + r * 0.12, base), trunk)
    c.circle(x, base - r * 1.6, r, leaf)
    c.circle(x - r * 0.55, base - r * 1.3, r * 0.7, leaf)
    c.circle(x + r * 0.55, base - r * 1.35, r * 0.72, leaf)
    c.circle(x - r * 0.3, base - r * 1.95, r * 0.5, mix(leaf, WHITE, 0.18))


def flower(c, cx, cy, r, petal, centre, n=5, rot=0.0, width_ratio=0.62,
           stamens=None):
    for k in range(n):
        a = rot + 2 * math.pi * k / n
        pts = []
        for j in range(28):
            th = 2 * math.pi * j / 28
            px = r * 0.5 * math.cos(th)
            py = r * 0.5 * width_ratio * math.sin(th)
            # flatten the inner end a little, widen the outer end
            px += r * 0.5
            py *= 0.75 + 0.45 * (px / r)
            pts.append((cx + px * math.cos(a) - py * math.sin(a),
                        cy + px * math.sin(a) + py * math.cos(a)))
        c.poly(pts, petal)
    # darker veins in the middle
    c.circle(cx, cy, r * 0.18, centre)
    if stamens:
        for k in range(7):
            a = rot + 0.4 + k * 0.55
            ex = cx + r * 0.75 * math.cos(a)
            ey = cy + r * 0.75 * math.sin(a)
            c.line([(cx, cy), (ex, ey)], stamens, max(1, r * 0.03))
            c.circle(ex, ey, r * 0.05, stamens)


def person(c, x, base, h, body, head=(244, 206, 170), hair=(50, 36, 30),
           skirt=False, arms_up=False):
    """A simple standing figure of height h with its feet at base."""
    hr = h * 0.11
    hy = base - h + hr
    neck = hy + hr
    if skirt:
        c.poly([(x - h * 0.09, neck + h * 0.04), (x + h * 0.09, neck + h * 0.04),
                (x + h * 0.24, base - h * 0.02), (x - h * 0.24, base - h * 0.02)],
               body)
    else:
        c.rect((x - h * 0.13, neck + h * 0.03, x + h * 0.13, base - h * 0.3),
               body, radius=h * 0.06)
        legs = mix(body, NAVY, 0.5)
        c.rect((x - h * 0.11, base - h * 0.33, x - h * 0.02, base), legs,
               radius=h * 0.03)
        c.rect((x + h * 0.02, base - h * 0.33, x + h * 0.11, base), legs,
               radius=h * 0.03)
    arm = mix(body, NAVY, 0.2)
    if arms_up:
        c.line([(x - h * 0.1, neck + h * 0.1), (x - h * 0.3, neck - h * 0.12)],
               arm, h * 0.05)
        c.line([(x + h * 0.1, neck + h * 0.1), (x + h * 0.3, neck - h * 0.12)],
               arm, h * 0.05)
    else:
        c.line([(x - h * 0.12, neck + h * 0.08), (x - h * 0.18, neck + h * 0.36)],
               arm, h * 0.05)
        c.line([(x + h * 0.12, neck + h * 0.08), (x + h * 0.18, neck + h * 0.36)],
               arm, h * 0.05)
    c.circle(x, hy, hr, head)
    c.pie(((x - hr) , hy - hr, x + hr, hy + hr), 180, 360, hair)


def clouds(c, rows, colour):
    for (x, y, s) in rows:
        for dx, dy, r in ((0, 0, 1.0), (0.9, 0.15, 0.75), (-0.9, 0.2, 0.7),
                          (0.35, -0.35, 0.8)):
            c.circle(x + dx * 40 * s, y + dy * 40 * s, 42 * r * s, colour)


def sun(c, x, y, r, colour=GOLD):
    c.glow(x, y, r * 3.2, mix(colour, WHITE, 0.4), 0.7)
    c.circle(x, y, r, colour)


# the pictures ------------------------------------------------------------

def changbaishan(path):
    c = Canvas([(0, (38, 58, 104)), (0.45, (122, 150, 196)),
                (0.75, (246, 196, 170)), (1, (252, 222, 188))], 1)
    sun(c, 930, 250, 40, (255, 214, 140))
    clouds(c, [(230, 130, 0.9), (1010, 90, 0.7)], (255, 255, 255, 90))
    ridge(c, 450, 50, [(1.0, 1.0, 0.2), (0.35, 3.1, 1.0)], (150, 170, 206), jag=2)
    # the broad volcanic massif with a notched crater rim
    massif = [(-20, 520), (120, 440), (300, 330), (430, 222), (500, 176),
              (545, 160), (575, 178), (600, 166), (630, 182), (660, 158),
              (705, 170), (770, 214), (900, 318), (1060, 420), (1220, 500),
              (1220, 675), (-20, 675)]
    c.poly(massif, (120, 146, 190))
    # snow: the massif clipped above a wavy snow line
    mountain = Image.new("L", c.img.size, 0)
    ImageDraw.Draw(mountain).polygon(Canvas._pts(massif), fill=255)
    above = Image.new("L", c.img.size, 0)
    line = [(x, 262 + 22 * math.sin(x / 37) + 10 * math.sin(x / 13))
            for x in range(0, W + 1, 10)]
    ImageDraw.Draw(above).polygon(Canvas._pts([(0, 0), (W, 0)] + line[::-1]),
                                  fill=255)
    snow = ImageChops.multiply(mountain, above)
    c.img.paste((242, 246, 252), (0, 0), snow)
    # light side of the massif
    c.poly([(545, 160), (575, 178), (600, 166), (630, 182), (660, 158), (705, 170),
            (770, 214), (900, 318), (1060, 420), (1220, 500), (1220, 560), (700, 300)],
           (255, 255, 255, 40))
    ridge(c, 560, 60, [(1.0, 1.6, 1.9), (0.4, 4.3, 0.2)], MID_BLUE, jag=2)
    # a mountain lake in the foreground valley
    c.ellipse((430, 560, 820, 612), (160, 196, 232))
    c.ellipse((470, 574, 780, 600), (200, 224, 246))
    ridge(c, 640, 30, [(1.0, 2.2, 0.7), (0.5, 5.0, 2.0)], BLUE, jag=1)
    for i in range(26):
        x = i * 48 + c.rng.uniform(-10, 10)
        pine(c, x, 690, c.rng.uniform(70, 130), NAVY)
    c.save(path)


def azalea(path):
    c = Canvas([(0, BLUSH), (0.6, (250, 214, 226)), (1, (240, 170, 196))], 2)
    c.glow(300, 180, 380, WHITE, 0.6)
    # far hill of blossoms
    ridge(c, 560, 40, [(1, 1.5, 0.4), (0.4, 4, 1)], (236, 150, 186))
    for _ in range(140):
        x, y = c.rng.uniform(0, W), c.rng.uniform(520, 675)
        c.circle(x, y, c.rng.uniform(6, 14), (226, 110, 166, 150))
    branches = [
        [(-20, 520), (200, 430), (420, 380), (640, 300), (820, 260)],
        [(1220, 120), (1050, 220), (900, 300), (760, 420), (700, 520)],
        [(420, 380), (470, 250), (560, 160)],
    ]
    for b in branches:
        c.line(b, (92, 58, 48), 12)
        c.line(b, (120, 80, 62), 6)
    spots = [(210, 420), (330, 395), (470, 250), (560, 165), (640, 300),
             (790, 258), (1040, 225), (910, 300), (780, 410), (700, 515),
             (120, 470), (420, 372), (980, 260), (840, 352), (520, 210)]
    for i, (x, y) in enumerate(spots):
        r = c.rng.uniform(48, 72)
        shade = mix(PINK, MAGENTA, c.rng.uniform(0, 0.6))
        flower(c, x + c.rng.uniform(-12, 12), y + c.rng.uniform(-12, 12), r,
               shade + (235,), mix(shade, MAGENTA, 0.7), rot=c.rng.uniform(0, 6.3),
               stamens=(255, 236, 180))
    for _ in range(18):
        x, y = c.rng.uniform(0, W), c.rng.uniform(0, 520)
        c.ellipse((x, y, x + 16, y + 9), (231, 90, 155, 120))
    c.save(path)


def pear_blossom(path):
    c = Canvas([(0, (150, 190, 228)), (0.7, (214, 232, 246)), (1, (236, 244, 236))], 3)
    sun(c, 1020, 120, 34, (255, 238, 190))
    ridge(c, 560, 50, [(1, 1.2, 0.2), (0.4, 3.5, 1.3)], (170, 196, 186))
    ridge(c, 620, 35, [(1, 2.0, 2.2), (0.3, 6, 0.3)], (132, 170, 128))
    # orchard rows on the hill
    for row in range(3):
        for i in range(16):
            x = i * 80 + row * 30 + 20
            y = 600 + row * 30
            c.circle(x, y - 20, 22 - row * 2, (246, 246, 240))
            c.rect((x - 3, y - 4, x + 3, y + 12), (120, 96, 80))
    branches = [
        [(-30, 120), (160, 170), (360, 200), (560, 190), (760, 230)],
        [(160, 170), (260, 100), (340, 40)],
        [(360, 200), (420, 300), (520, 360)],
        [(560, 190), (640, 120), (720, 90)],
    ]
    for b in branches:
        c.line(b, (70, 52, 46), 11)
    for x, y in [(300, 120), (470, 320), (680, 110), (120, 200), (600, 250)]:
        for k in range(3):
            a = k * 2.1 + c.rng.uniform(0, 1)
            c.poly([(x, y), (x + 34 * math.cos(a) - 10 * math.sin(a),
                             y + 34 * math.sin(a) + 10 * math.cos(a)),
                    (x + 56 * math.cos(a), y + 56 * math.sin(a)),
                    (x + 34 * math.cos(a) + 10 * math.sin(a),
                     y + 34 * math.sin(a) - 10 * math.cos(a))], LEAF)
    spots = [(90, 150), (200, 180), (250, 110), (330, 50), (300, 215),
             (420, 205), (440, 290), (520, 345), (500, 190), (600, 200),
             (650, 130), (730, 95), (740, 240), (560, 300), (380, 150)]
    for x, y in spots:
        for j in range(3):
            fx = x + c.rng.uniform(-30, 30)
            fy = y + c.rng.uniform(-26, 26)
            r = c.rng.uniform(20, 32)
            flower(c, fx, fy, r, (255, 255, 252, 240), (200, 214, 150),
                   rot=c.rng.uniform(0, 6.3), width_ratio=0.95,
                   stamens=(150, 80, 90))
    for _ in range(40):
        x, y = c.rng.uniform(600, W), c.rng.uniform(80, 560)
        c.ellipse((x, y, x + 10, y + 7), (255, 255, 255, 190))
    c.save(path)


def paper_cut(path):
    c = Canvas([(0, (250, 236, 210)), (1, (240, 218, 186))], 4)
    cx, cy, R = 600, 338, 290
    paper = RED
    bg = (250, 232, 204)
    # scalloped medallion
    for k in range(24):
        a = 2 * math.pi * k / 24
        c.circle(cx + R * math.cos(a), cy + R * math.sin(a), 34, paper)
    c.circle(cx, cy, R, paper)
    # cut-outs with 8-fold symmetry
    for k in range(24):
        a = 2 * math.pi * k / 24
        c.circle(cx + (R - 18) * math.cos(a), cy + (R - 18) * math.sin(a), 8, bg)
    for k in range(8):
        a = 2 * math.pi * k / 8
        ca, sa = math.cos(a), math.sin(a)

        def rot(px, py):
            return (cx + px * ca - py * sa, cy + px * sa + py * ca)
        # long petal slot
        c.poly([rot(70, 0), rot(140, -26), rot(215, 0), rot(140, 26)], bg)
        c.poly([rot(92, 0), rot(140, -12), rot(190, 0), rot(140, 12)], paper)
        # crescent between petals
        b = a + math.pi / 8
        mx, my = cx + 200 * math.cos(b), cy + 200 * math.sin(b)
        c.circle(mx, my, 26, bg)
        c.circle(mx + 10 * math.cos(b), my + 10 * math.sin(b), 22, paper)
        # small diamond further out
        d = [(236, 0), (252, -10), (268, 0), (252, 10)]
        c.poly([rot(*p) for p in d], bg)
        # tear drops near centre
        c.poly([rot(40, -6), rot(62, -14), rot(58, 0), rot(62, 14), rot(40, 6)], bg)
    c.circle(cx, cy, 36, bg)
    flower(c, cx, cy, 34, paper, bg, n=6, width_ratio=0.7)
    c.circle(cx, cy, 7, bg)
    # corner ornaments (quarter fans)
    for (x, y, st) in ((0, 0, 0), (W, 0, 90), (W, H, 180), (0, H, 270)):
        c.pie((x - 200, y - 200, x + 200, y + 200), st, st + 90, paper)
        for k in range(6):
            a = math.radians(st + 7.5 + k * 15)
            c.poly([(x + 60 * math.cos(a), y + 60 * math.sin(a)),
                    (x + 170 * math.cos(a - 0.06), y + 170 * math.sin(a - 0.06)),
                    (x + 180 * math.cos(a), y + 180 * math.sin(a)),
                    (x + 170 * math.cos(a + 0.06), y + 170 * math.sin(a + 0.06))],
                   bg)
        c.pie((x - 50, y - 50, x + 50, y + 50), st, st + 90, bg)
    # twin birds on either side, mirrored
    for sgn in (-1, 1):
        bx = cx + sgn * 420
        pts = [(0, 0), (40, -40), (90, -46), (70, -20), (110, 10), (60, 20),
               (30, 60), (10, 30), (-40, 36), (-20, 6)]
        c.poly([(bx + sgn * px, cy + py) for px, py in pts], paper)
        c.circle(bx + sgn * 62, cy - 30, 5, bg)
        c.poly([(bx + sgn * 20, cy + 4), (bx + sgn * 50, cy - 6),
                (bx + sgn * 40, cy + 14)], bg)
    c.save(path)


def yangge(path):
    c = Canvas([(0, (255, 214, 120)), (0.55, (246, 170, 80)), (1, (226, 96, 80))], 5)
    c.glow(600, 330, 520, (255, 236, 190), 0.8)
    # ribbons: long waving bands
    colours = [(214, 36, 80, 220), (255, 255, 255, 170), (120, 40, 140, 200),
               (40, 120, 170, 200)]
    for i, col in enumerate(colours):
        top, bot = [], []
        for j in range(61):
            x = -40 + j * 22
            y = 160 + i * 110 + 70 * math.sin(j / 8 + i * 1.3)
            w = 16 + 8 * math.sin(j / 5 + i)
            top.append((x, y - w))
            bot.append((x, y + w))
        c.poly(top + bot[::-1], col)
    # fans: sectors with ribs and a frill edge
    for (x, y, r, st, col) in ((330, 380, 230, 200, PINK), (870, 340, 250, 215, MAGENTA),
                               (610, 560, 170, 190, (236, 70, 90))):
        span = 150
        for k in range(32):
            a = math.radians(st + span * k / 31)
            c.circle(x + r * math.cos(a), y + r * math.sin(a), r * 0.07,
                     mix(col, WHITE, 0.55))
        c.pie((x - r, y - r, x + r, y + r), st, st + span, col)
        c.pie((x - r * 0.82, y - r * 0.82, x + r * 0.82, y + r * 0.82), st, st + span,
              mix(col, WHITE, 0.2))
        for k in range(13):
            a = math.radians(st + span * k / 12)
            c.line([(x, y), (x + r * 0.98 * math.cos(a), y + r * 0.98 * math.sin(a))],
                   mix(col, (90, 20, 40), 0.5), 3)
        # painted blossom on the fan
        fa = math.radians(st + span / 2)
        flower(c, x + r * 0.55 * math.cos(fa), y + r * 0.55 * math.sin(fa), r * 0.18,
               (255, 244, 224), GOLD, rot=0.3)
        c.circle(x, y, r * 0.06, (90, 50, 30))
    for _ in range(70):
        x, y = c.rng.uniform(0, W), c.rng.uniform(0, H)
        col = c.rng.choice([GOLD, PINK, WHITE, (120, 40, 140)])
        s = c.rng.uniform(4, 9)
        c.poly([(x, y - s), (x + s, y), (x, y + s), (x - s, y)], col + (210,))
    c.save(path)


def farmhouse(path):
    c = Canvas([(0, (140, 186, 230)), (0.55, (222, 236, 246)), (0.56, (180, 210, 140)),
                (1, (120, 168, 96))], 6)
    sun(c, 1020, 110, 44)
    clouds(c, [(200, 100, 0.8), (560, 70, 0.6)], (255, 255, 255, 200))
    ridge(c, 380, 40, [(1, 1.3, 0.5), (0.5, 3.7, 1.7)], (120, 156, 190))
    c.poly([(0, 375), (W, 360), (W, H), (0, H)], (170, 204, 120))
    # field stripes
    for i in range(9):
        y = 400 + i * 32
        c.poly([(0, y), (W, y - 14), (W, y - 4), (0, y + 10)], (150, 190, 100, 140))
    # house
    c.rect((260, 300, 640, 500), (246, 236, 218))
    c.poly([(230, 310), (450, 200), (670, 310)], (180, 66, 62))
    c.poly([(230, 310), (450, 200), (670, 310), (655, 318), (450, 214), (245, 318)],
           (140, 44, 44))
    c.rect((540, 190, 575, 260), (150, 120, 110))
    for i in range(4):
        c.circle(560 + i * 22, 170 - i * 32, 14 + i * 5, (255, 255, 255, 150 - i * 25))
    c.rect((420, 390, 480, 500), (150, 96, 64))
    c.circle(470, 448, 4, GOLD)
    for wx in (300, 530):
        c.rect((wx, 350, wx + 72, 410), (255, 226, 150))
        c.line([(wx + 36, 350), (wx + 36, 410)], (150, 96, 64), 4)
        c.line([(wx, 380), (wx + 72, 380)], (150, 96, 64), 4)
        c.rect((wx, 350, wx + 72, 410), None, outline=(150, 96, 64), width=5)
    # string of red peppers by the door, corn hung on the wall
    for k in range(8):
        c.ellipse((392, 330 + k * 18, 406, 352 + k * 18), (200, 40, 40))
    for k in range(5):
        c.ellipse((610 - k * 4, 330 + k * 22, 630 - k * 4, 356 + k * 22), GOLD)
    # fence
    for i in range(22):
        x = 20 + i * 52
        c.poly([(x, 560), (x + 10, 548), (x + 20, 560), (x + 20, 610), (x, 610)],
               (214, 180, 130))
    c.rect((0, 570, W, 580), (190, 150, 100))
    round_tree(c, 120, 520, 70, GREEN)
    round_tree(c, 1080, 540, 80, DARK_GREEN)
    # the family
    base = 640
    person(c, 720, base, 200, (90, 110, 160))
    person(c, 800, base, 185, PINK, skirt=True)
    person(c, 870, base, 110, GOLD, arms_up=True)
    person(c, 950, base, 175, (130, 130, 130), hair=(220, 220, 220))
    person(c, 1020, base, 165, (160, 90, 130), hair=(215, 215, 215), skirt=True)
    person(c, 660, base, 96, (80, 160, 140))
    c.save(path)


def forum_hall(path):
    c = Canvas([(0, (40, 48, 84)), (0.45, (70, 80, 120)), (0.46, (120, 70, 70)),
                (1, (150, 84, 76))], 7)
    # ceiling lights
    for i in range(7):
        x = 120 + i * 160
        c.glow(x, 40, 70, (255, 236, 200), 0.7)
        c.circle(x, 40, 10, (255, 246, 220))
    # back wall and screen
    c.rect((140, 90, 1060, 320), (58, 66, 104))
    c.rect((300, 110, 900, 290), (34, 60, 110))
    c.glow(600, 200, 300, (90, 140, 210), 0.5)
    ridge_pts = [(320, 280), (440, 170), (500, 210), (600, 140), (700, 205),
                 (760, 180), (880, 280)]
    c.poly(ridge_pts, (200, 222, 246))
    c.poly([(560, 168), (600, 140), (640, 166), (620, 172), (600, 160), (580, 172)],
           WHITE)
    for k in range(5):
        flower(c, 350 + k * 28, 140, 14, PINK, MAGENTA, rot=k)
    # stage
    c.poly([(100, 330), (1100, 330), (1160, 370), (40, 370)], (96, 60, 56))
    c.rect((40, 370, 1160, 386), (70, 40, 40))
    c.rect((180, 288, 1020, 332), (190, 40, 60))
    for i in range(9):
        c.rect((210 + i * 90, 300, 270 + i * 90, 330), (240, 236, 230), radius=4)
    # flowers along the stage edge
    for i in range(16):
        x = 70 + i * 72
        c.circle(x, 356, 16, mix(PINK, GOLD, (i % 3) / 2))
        c.circle(x + 14, 360, 12, (90, 150, 90))
    # podium
    c.poly([(960, 250), (1040, 250), (1030, 340), (970, 340)], (150, 90, 70))
    # rows of seats in perspective
    for row in range(7):
        t = row / 6
        y = 420 + row * 38 + row * row * 3.5
        size = 18 + t * 26
        gap = size * 1.35
        n = int((W + 200) / gap)
        off = (row % 2) * gap / 2
        for i in range(n):
            x = -100 + off + i * gap
            if abs(x - 600) < 40 + t * 50:
                continue  # aisle
            col = mix((150, 40, 60), (200, 60, 80), (i % 2) * 0.3)
            c.rect((x, y - size * 0.9, x + size, y + size * 0.25), col,
                   radius=size * 0.25)
            c.rect((x - 2, y, x + size + 2, y + size * 0.55), mix(col, NAVY, 0.3),
                   radius=size * 0.2)
    c.save(path)


def park(path):
    c = Canvas([(0, (150, 196, 236)), (0.3, (220, 238, 246)), (0.31, (150, 196, 120)),
                (1, (106, 160, 90))], 8)
    sun(c, 160, 70, 30, (255, 226, 150))
    ridge(c, 215, 36, [(1, 1.5, 0.1), (0.5, 4.1, 1.1)], (122, 170, 116))
    # pond
    c.ellipse((760, 300, 1150, 420), (110, 170, 214))
    c.ellipse((800, 320, 1100, 400), (150, 200, 232))
    c.poly([(930, 318), (980, 300), (1030, 318)], (200, 60, 60))
    c.rect((940, 318, 1020, 350), (250, 240, 220))
    # winding path (drawn as a strip along a curve)
    left, right = [], []
    for j in range(41):
        t = j / 40
        y = 675 - t * 440
        x = 600 + 210 * math.sin(t * 3.4) * (1 - t * 0.3)
        w = 120 * (1 - t) + 14
        left.append((x - w, y))
        right.append((x + w, y))
    c.poly(left + right[::-1], (236, 220, 190))
    for j in range(0, 40, 2):
        a, b = left[j], right[j]
        c.line([a, b], (220, 200, 168), 2)
    # flower beds
    for (x, y, rx, ry) in ((180, 520, 150, 60), (980, 560, 170, 70), (300, 360, 110, 36)):
        c.ellipse((x - rx, y - ry, x + rx, y + ry), (90, 140, 80))
        for _ in range(50):
            a = c.rng.uniform(0, 6.28)
            d = c.rng.uniform(0, 0.9)
            fx, fy = x + rx * d * math.cos(a), y + ry * d * math.sin(a)
            c.circle(fx, fy, c.rng.uniform(5, 9), c.rng.choice([PINK, MAGENTA, LIGHT_PINK, GOLD]))
    # pavilion with a curved roof
    px, py = 330, 300
    c.rect((px - 70, py - 60, px - 58, py + 40), (150, 50, 50))
    c.rect((px + 58, py - 60, px + 70, py + 40), (150, 50, 50))
    c.poly([(px - 120, py - 50), (px - 90, py - 70), (px, py - 120), (px + 90, py - 70),
            (px + 120, py - 50), (px + 80, py - 60), (px - 80, py - 60)], (60, 90, 110))
    c.rect((px - 80, py + 34, px + 80, py + 46), (200, 190, 170))
    # trees along the path
    for (x, base, r, col) in ((90, 330, 44, DARK_GREEN), (470, 260, 30, GREEN),
                              (720, 280, 34, DARK_GREEN), (1150, 280, 40, GREEN),
                              (430, 640, 70, GREEN), (830, 660, 64, DARK_GREEN),
                              (40, 660, 60, DARK_GREEN), (640, 250, 26, GREEN)):
        round_tree(c, x, base, r, col)
    # benches
    for (x, y) in ((520, 470), (760, 430)):
        c.rect((x, y, x + 70, y + 10), BROWN)
        c.rect((x + 6, y + 10, x + 12, y + 26), BROWN)
        c.rect((x + 58, y + 10, x + 64, y + 26), BROWN)
    person(c, 690, 560, 90, PINK, skirt=True)
    person(c, 730, 560, 56, GOLD)
    c.save(path)


def lanterns(path):
    c = Canvas([(0, (18, 22, 60)), (0.6, (70, 40, 100)), (1, (150, 60, 110))], 9)
    for _ in range(120):
        x, y = c.rng.uniform(0, W), c.rng.uniform(0, 380)
        r = c.rng.uniform(1, 2.6)
        c.circle(x, y, r, (255, 250, 230, c.rng.randint(120, 230)))
    c.glow(980, 110, 160, (255, 236, 200), 0.5)
    c.circle(980, 110, 48, (255, 244, 214))
    # roofline silhouettes
    for i in range(8):
        x = i * 170 - 40
        h = c.rng.uniform(90, 160)
        c.rect((x, H - h, x + 150, H), (28, 20, 48))
        c.poly([(x - 20, H - h), (x + 75, H - h - 50), (x + 170, H - h)], (38, 26, 60))
        for wx in range(2):
            c.rect((x + 30 + wx * 60, H - h + 30, x + 60 + wx * 60, H - h + 60),
                   (255, 200, 120, 200))
    # strings of lanterns
    for s, (y0, sag) in enumerate(((80, 90), (230, 70))):
        pts = [(x, y0 + sag * math.sin(math.pi * x / W)) for x in range(0, W + 1, 20)]
        c.line(pts, (40, 30, 40), 3)
        for k in range(7):
            x = 80 + k * 170 + s * 60
            if x > W - 40:
                continue
            y = y0 + sag * math.sin(math.pi * x / W) + 14
            rw, rh = 46 - s * 6, 58 - s * 6
            c.glow(x, y + rh * 0.7, rw * 2.8, (255, 120, 80), 0.45)
            c.line([(x, y - 14), (x, y)], (40, 30, 40), 3)
            c.rect((x - rw * 0.45, y, x + rw * 0.45, y + 10), GOLD)
            c.ellipse((x - rw, y + 6, x + rw, y + 6 + rh * 1.5), (214, 36, 40))
            c.ellipse((x - rw * 0.55, y + 6, x + rw * 0.55, y + 6 + rh * 1.5),
                      (236, 70, 60))
            c.ellipse((x - rw * 0.15, y + 6, x + rw * 0.15, y + 6 + rh * 1.5),
                      (250, 120, 80))
            c.rect((x - rw * 0.45, y + rh * 1.5, x + rw * 0.45, y + rh * 1.5 + 10), GOLD)
            for t in range(5):
                tx = x - 10 + t * 5
                c.line([(tx, y + rh * 1.5 + 10), (tx, y + rh * 1.5 + 40)], GOLD, 2)
    c.save(path)


def service_station(path):
    c = Canvas([(0, (160, 200, 236)), (0.62, (232, 242, 248)), (0.63, (196, 200, 196)),
                (1, (170, 176, 170))], 10)
    sun(c, 200, 100, 36, (255, 230, 160))
    clouds(c, [(820, 90, 0.9), (1080, 150, 0.6)], (255, 255, 255, 210))
    ridge(c, 400, 30, [(1, 1.2, 0.6), (0.4, 3.4, 2)], (150, 180, 160))
    # road
    c.poly([(0, 560), (W, 540), (W, 610), (0, 640)], (120, 124, 130))
    for i in range(12):
        x = 40 + i * 110
        c.poly([(x, 596 - i * 1.7), (x + 60, 595 - i * 1.7), (x + 60, 601 - i * 1.7),
                (x, 602 - i * 1.7)], (240, 240, 230))
    # building: two storeys with a blue band and a sign board
    c.rect((320, 230, 880, 470), (248, 246, 240))
    c.rect((300, 210, 900, 236), MID_BLUE)
    c.rect((320, 340, 880, 352), (210, 220, 236))
    c.rect((450, 250, 750, 310), (196, 48, 78), radius=8)
    # heart emblem on the sign
    hx, hy = 490, 280
    c.circle(hx - 10, hy - 6, 12, WHITE)
    c.circle(hx + 10, hy - 6, 12, WHITE)
    c.poly([(hx - 22, hy - 2), (hx + 22, hy - 2), (hx, hy + 22)], WHITE)
    for k in range(3):
        c.rect((530, 268 + k * 14, 720 - k * 40, 276 + k * 14), (255, 220, 230))
    for row, y in enumerate((370, 250)):
        for i in range(6):
            x = 345 + i * 90
            if row == 1 and 440 < x < 760:
                continue
            c.rect((x, y, x + 60, y + 60), (150, 190, 226))
            c.line([(x + 30, y), (x + 30, y + 60)], WHITE, 3)
    # entrance with canopy and steps
    c.rect((560, 380, 640, 470), (120, 160, 200))
    c.poly([(530, 376), (670, 376), (650, 360), (550, 360)], MID_BLUE)
    c.rect((540, 470, 660, 480), (220, 220, 214))
    c.rect((530, 480, 670, 490), (206, 206, 200))
    # trees and a bench with people
    round_tree(c, 230, 500, 56, GREEN)
    round_tree(c, 980, 500, 62, DARK_GREEN)
    round_tree(c, 1120, 520, 46, GREEN)
    person(c, 720, 540, 90, (200, 80, 120), skirt=True)
    person(c, 760, 540, 100, (80, 100, 150))
    person(c, 440, 540, 96, (120, 120, 120), hair=(220, 220, 220))
    c.save(path)


def elderly_day(path):
    c = Canvas([(0, (255, 224, 160)), (0.6, (250, 190, 150)), (1, (236, 150, 150))], 11)
    sun(c, 420, 170, 80, (255, 206, 110))
    ridge(c, 470, 40, [(1, 1.4, 0.3), (0.4, 4.5, 1.1)], (226, 160, 150))
    # Korean-style pavilion with upturned eaves on the hill at the right
    px, top, ground = 1000, 300, 478
    c.poly([(px - 190, top + 40), (px - 150, top + 14), (px, top - 24), (px + 150, top + 14),
            (px + 190, top + 40), (px + 130, top + 30), (px, top + 2), (px - 130, top + 30)],
           (70, 60, 80))
    c.poly([(px - 120, top + 30), (px + 120, top + 30), (px + 110, top + 44),
            (px - 110, top + 44)], (110, 60, 70))
    for dx in (-100, -34, 34, 100):
        c.rect((px + dx - 6, top + 44, px + dx + 6, ground), (170, 60, 60))
    c.rect((px - 130, ground, px + 130, ground + 14), (180, 150, 120))
    c.poly([(0, 500), (W, 480), (W, H), (0, H)], (214, 140, 120))
    # dancers in long skirts, arms raised, long sleeve ribbons from the hands
    dancers = [(260, 640, 220, (250, 250, 240), (220, 60, 110)),
               (470, 620, 200, (246, 180, 206), (60, 120, 170)),
               (680, 630, 210, (255, 236, 160), (200, 60, 60)),
               (890, 640, 220, (200, 222, 246), (140, 60, 140))]
    for i, (x, base, h, dress, sleeve) in enumerate(dancers):
        person(c, x, base, h, dress, hair=(225, 225, 225), skirt=True, arms_up=True)
        neck = base - h + h * 0.22
        for sgn in (-1, 1):
            hx, hy = x + sgn * h * 0.3, neck - h * 0.12
            pts = [(hx + sgn * j * 9, hy - 6 * j + j * j * 1.5
                    + 14 * math.sin(j / 2 + i)) for j in range(12)]
            c.line(pts, sleeve + (225,), 8)
        # a sash on the dress
        c.poly([(x - 4, base - h * 0.72), (x + 24, base - h * 0.5),
                (x + 14, base - h * 0.48), (x - 8, base - h * 0.66)], sleeve)
    # janggu drum in the front left
    dx, dy = 90, 600
    c.ellipse((dx - 60, dy - 50, dx - 20, dy + 50), (200, 60, 60))
    c.ellipse((dx + 20, dy - 50, dx + 60, dy + 50), (200, 60, 60))
    c.poly([(dx - 40, dy - 40), (dx, dy - 12), (dx + 40, dy - 40), (dx + 40, dy + 40),
            (dx, dy + 12), (dx - 40, dy + 40)], (160, 40, 50))
    c.ellipse((dx + 26, dy - 44, dx + 54, dy + 44), (250, 236, 210))
    for k in range(6):
        c.line([(dx - 40, dy - 40 + k * 16), (dx + 40, dy + 40 - k * 16)], GOLD, 2)
    for _ in range(40):
        x, y = c.rng.uniform(0, W), c.rng.uniform(0, 420)
        c.circle(x, y, c.rng.uniform(3, 7), c.rng.choice([PINK, WHITE, GOLD]) + (170,))
    c.save(path)


def farmer_painting(path):
    c = Canvas([(0, (90, 170, 220)), (0.35, (150, 210, 236)), (1, (150, 210, 236))], 12)
    # big naive sun with rays
    sx, sy = 1040, 100
    for k in range(16):
        a = 2 * math.pi * k / 16
        c.poly([(sx + 60 * math.cos(a - 0.12), sy + 60 * math.sin(a - 0.12)),
                (sx + 100 * math.cos(a), sy + 100 * math.sin(a)),
                (sx + 60 * math.cos(a + 0.12), sy + 60 * math.sin(a + 0.12))], AMBER)
    c.circle(sx, sy, 58, (255, 90, 70))
    c.circle(sx, sy, 40, GOLD)
    # patchwork fields: rows of bands with different bright colours
    colours = [(246, 200, 60), (120, 190, 80), (236, 110, 140), (80, 150, 90),
               (250, 160, 60), (170, 210, 90), (200, 90, 160), (60, 130, 110)]
    bands = 9
    for b in range(bands):
        y0 = 250 + b * 50
        prev_x = 0
        x = 0
        i = b
        while x < W:
            w = c.rng.uniform(110, 260)
            x = min(W, prev_x + w)
            wob = lambda xx: 18 * math.sin(xx / 140 + b)
            c.poly([(prev_x, y0 + wob(prev_x)), (x, y0 + wob(x)), (x, y0 + 60 + wob(x)),
                    (prev_x, y0 + 60 + wob(prev_x))], colours[i % len(colours)])
            # furrow lines
            for f in range(4):
                fy = y0 + 12 + f * 12
                c.line([(prev_x + 6, fy + wob(prev_x)), (x - 6, fy + wob(x))],
                       mix(colours[i % len(colours)], WHITE, 0.35), 2)
            prev_x = x
            i += 3
    # rolling hills behind the fields
    c.poly([(0, 270), (150, 170), (330, 240), (520, 150), (760, 250), (950, 180),
            (1200, 260), (1200, 300), (0, 300)], (60, 120, 90))
    c.poly([(0, 290), (220, 220), (420, 280), (640, 210), (880, 290), (1200, 250),
            (1200, 310), (0, 310)], (90, 160, 100))
    # little houses
    for i, x in enumerate((120, 420, 760, 980)):
        y = 300 + (i % 2) * 16
        c.rect((x, y, x + 90, y + 56), WHITE)
        c.poly([(x - 12, y), (x + 45, y - 38), (x + 102, y)], (210, 50, 50))
        c.rect((x + 36, y + 22, x + 56, y + 56), (90, 60, 40))
    # round naive trees with dotted crowns
    for x, y in ((300, 300), (620, 290), (1130, 300)):
        c.rect((x - 6, y - 10, x + 6, y + 30), BROWN)
        c.circle(x, y - 40, 40, (40, 120, 70))
        for k in range(9):
            a = k * 0.7
            c.circle(x + 24 * math.cos(a), y - 40 + 24 * math.sin(a), 5, (255, 220, 80))
    # a family of geese (simple shapes) in the sky
    for k in range(5):
        x, y = 260 + k * 60, 90 + abs(k - 2) * 18
        c.line([(x - 20, y - 8), (x, y), (x + 20, y - 8)], (40, 60, 90), 4)
    c.save(path)


def errenzhuan(path):
    c = Canvas([(0, (40, 16, 30)), (0.7, (70, 24, 40)), (0.71, (120, 72, 48)),
                (1, (150, 96, 60))], 13)
    # curtains with folds
    for side in (0, 1):
        for k in range(8):
            x0 = k * 34 if side == 0 else W - (k + 1) * 34
            col = mix((150, 20, 40), (210, 40, 60), (k % 2) * 0.6)
            c.rect((x0, 0, x0 + 34, 520 - k * 10), col)
    c.rect((0, 0, W, 60), (170, 24, 48))
    for k in range(24):
        c.pie((k * 50, 30, k * 50 + 50, 80), 0, 180, (190, 30, 56))
    c.rect((0, 56, W, 64), GOLD)
    # spotlight beams
    def beams(d):
        d.polygon([(300 * S, 0), (380 * S, 0), (620 * S, 620 * S), (240 * S, 620 * S)],
                  fill=(255, 240, 200, 70))
        d.polygon([(820 * S, 0), (900 * S, 0), (960 * S, 620 * S), (560 * S, 620 * S)],
                  fill=(255, 220, 230, 60))
    c.blur_layer(beams, 12)
    # floor boards
    for i in range(14):
        y = 490 + i * 14 + i * i * 0.8
        c.line([(0, y), (W, y)], (110, 64, 40), 2)
    c.ellipse((300, 560, 860, 640), (255, 230, 190, 60))
    # performer 1: green jacket with a fan
    x1, b1 = 480, 600
    person(c, x1, b1, 260, (60, 150, 90))
    c.pie((x1 - 170, b1 - 290, x1 - 50, b1 - 170), 180, 330, (255, 120, 160))
    c.pie((x1 - 150, b1 - 270, x1 - 70, b1 - 190), 180, 330, (255, 200, 220))
    # performer 2: red jacket spinning a handkerchief
    x2, b2 = 720, 600
    person(c, x2, b2, 250, (220, 50, 70), skirt=True)
    hx, hy = x2 + 110, b2 - 300
    c.line([(x2 + 22, b2 - 200), (hx, hy)], (244, 206, 170), 12)
    for k in range(8):
        a = k * math.pi / 4
        c.poly([(hx, hy), (hx + 60 * math.cos(a), hy + 60 * math.sin(a)),
                (hx + 60 * math.cos(a + 0.5), hy + 60 * math.sin(a + 0.5))],
               (250, 60, 90) if k % 2 else (255, 200, 60))
    c.circle(hx, hy, 8, WHITE)
    for _ in range(30):
        x, y = c.rng.uniform(200, 1000), c.rng.uniform(80, 400)
        c.circle(x, y, c.rng.uniform(2, 5), (255, 230, 160, 160))
    c.save(path)


def school(path):
    c = Canvas([(0, (250, 196, 120)), (0.55, (255, 230, 190)), (0.56, (170, 200, 130)),
                (1, (130, 170, 100))], 14)
    sun(c, 1060, 260, 50, (255, 170, 90))
    ridge(c, 380, 24, [(1, 1.6, 0.3), (0.5, 4.2, 0.8)], (200, 170, 150))
    # school building
    c.rect((260, 220, 840, 470), (250, 240, 226))
    c.poly([(230, 230), (550, 130), (870, 230)], (86, 120, 170))
    c.rect((230, 226, 870, 240), (60, 90, 140))
    # clock at half past three
    cx, cy, r = 550, 190, 34
    c.circle(cx, cy, r + 5, (60, 90, 140))
    c.circle(cx, cy, r, WHITE)
    for k in range(12):
        a = 2 * math.pi * k / 12
        c.line([(cx + (r - 8) * math.cos(a), cy + (r - 8) * math.sin(a)),
                (cx + (r - 3) * math.cos(a), cy + (r - 3) * math.sin(a))], NAVY, 2)
    hour = math.radians(3.5 * 30 - 90)
    c.line([(cx, cy), (cx + 18 * math.cos(hour), cy + 18 * math.sin(hour))], NAVY, 5)
    c.line([(cx, cy), (cx, cy + 28)], NAVY, 3)
    c.circle(cx, cy, 4, RED)
    for row, y in enumerate((270, 370)):
        for i in range(5):
            x = 300 + i * 110
            if row == 1 and i == 2:
                continue
            c.rect((x, y, x + 70, y + 60), (170, 206, 236))
            c.line([(x, y + 30), (x + 70, y + 30)], WHITE, 3)
    c.rect((510, 370, 590, 470), (200, 120, 80))
    # tree and a bench
    round_tree(c, 140, 500, 70, GREEN)
    round_tree(c, 980, 480, 54, DARK_GREEN)
    # children with backpacks walking in, a teacher
    kids = [(380, 610, 110, (230, 80, 120)), (470, 620, 100, (70, 140, 200)),
            (560, 612, 116, GOLD), (650, 618, 104, (120, 180, 110)),
            (740, 614, 96, (200, 90, 160))]
    for x, base, h, col in kids:
        c.rect((x + h * 0.08, base - h * 0.72, x + h * 0.26, base - h * 0.4),
               mix(col, NAVY, 0.4), radius=h * 0.05)
        person(c, x, base, h, col, arms_up=(x == 560))
    person(c, 860, 626, 190, (90, 110, 160))
    c.save(path)


def greenhouse(path):
    c = Canvas([(0, (140, 190, 236)), (0.45, (226, 238, 246)), (0.46, (170, 200, 120)),
                (1, (120, 160, 80))], 15)
    sun(c, 200, 100, 40)
    clouds(c, [(700, 80, 0.7), (980, 120, 0.9)], (255, 255, 255, 220))
    ridge(c, 310, 34, [(1, 1.3, 0.9), (0.4, 3.1, 0.4)], (140, 170, 190))
    c.poly([(0, 305), (W, 300), (W, H), (0, H)], (170, 200, 120))
    # greenhouse tunnels in perspective
    for row in range(3):
        y = 360 + row * 90
        h = 60 + row * 30
        w = 200 + row * 60
        for i in range(-1, 7):
            x = i * (w + 40) + row * 60
            c.pie((x, y - h, x + w, y + h), 180, 360, (226, 240, 246, 235))
            c.pie((x + 10, y - h + 10, x + w - 10, y + h - 10), 180, 360,
                  (196, 226, 236, 235))
            for k in range(1, 5):
                xx = x + k * w / 5
                dy = h * math.sqrt(max(0, 1 - ((xx - x - w / 2) / (w / 2)) ** 2))
                c.line([(xx, y - dy), (xx, y)], (160, 190, 200), 2)
            c.rect((x, y, x + w, y + 6), (110, 130, 90))
    # rows of crops in front
    for i in range(14):
        x = -40 + i * 95
        c.ellipse((x, 640, x + 80, 675), (80, 140, 70))
        c.circle(x + 20, 646, 10, (240, 90, 70))
    person(c, 1000, 650, 150, (60, 120, 170))
    person(c, 1070, 650, 140, (220, 90, 120), skirt=True)
    c.rect((960, 600, 990, 640), GOLD, radius=4)
    c.save(path)


def platform(path):
    c = Canvas([(0, (30, 50, 100)), (1, (90, 60, 130))], 16)
    c.glow(600, 340, 500, (120, 150, 220), 0.45)
    rng = c.rng
    nodes = []
    for _ in range(16):
        a = rng.uniform(0, 2 * math.pi)
        d = rng.uniform(230, 520)
        nodes.append((600 + d * math.cos(a), 340 + d * math.sin(a) * 0.6))
    for x, y in nodes:
        c.line([(600, 340), (x, y)], (200, 220, 255, 80), 3)
    for i, (x, y) in enumerate(nodes):
        x2, y2 = nodes[(i + 3) % len(nodes)]
        c.line([(x, y), (x2, y2)], (200, 220, 255, 40), 2)
    for i, (x, y) in enumerate(nodes):
        col = [PINK, GOLD, SKY, LIGHT_PINK][i % 4]
        c.circle(x, y, 30, col + (230,))
        # tiny house icon inside each node
        c.rect((x - 12, y - 2, x + 12, y + 14), NAVY)
        c.poly([(x - 16, y - 2), (x, y - 16), (x + 16, y - 2)], NAVY)
    # central tablet with cards
    c.rect((470, 170, 730, 520), (20, 30, 60), radius=26)
    c.rect((486, 196, 714, 490), (244, 246, 252), radius=10)
    c.rect((500, 210, 700, 270), PINK, radius=8)
    c.circle(530, 240, 16, WHITE)
    c.rect((560, 226, 680, 236), WHITE, radius=4)
    c.rect((560, 246, 650, 254), (255, 230, 240), radius=4)
    for k, col in enumerate((MID_BLUE, GOLD, GREEN)):
        y = 290 + k * 62
        c.rect((500, y, 700, y + 48), mix(col, WHITE, 0.75), radius=8)
        c.circle(526, y + 24, 14, col)
        c.rect((552, y + 14, 680, y + 22), mix(col, NAVY, 0.2), radius=4)
        c.rect((552, y + 30, 640, y + 36), mix(col, WHITE, 0.3), radius=3)
    # heart badge
    hx, hy = 690, 190
    c.circle(hx, hy, 34, MAGENTA)
    c.circle(hx - 9, hy - 5, 11, WHITE)
    c.circle(hx + 9, hy - 5, 11, WHITE)
    c.poly([(hx - 19, hy - 1), (hx + 19, hy - 1), (hx, hy + 19)], WHITE)
    c.save(path)


PICTURES = {
    "changbaishan": changbaishan,
    "jindallae-azalea": azalea,
    "pear-blossom": pear_blossom,
    "paper-cut": paper_cut,
    "yangge-fans": yangge,
    "farmhouse-family": farmhouse,
    "forum-hall": forum_hall,
    "park-paths": park,
    "festival-lanterns": lanterns,
    "service-station": service_station,
    "elderly-day": elderly_day,
    "farmer-painting": farmer_painting,
    "errenzhuan-stage": errenzhuan,
    "children-school": school,
    "greenhouse-fields": greenhouse,
    "platform-network": platform,
}


def main(argv):
    root = Path(__file__).resolve().parent.parent
    out = Path(argv[1]) if len(argv) > 1 else root / "content" / "images"
    out.mkdir(parents=True, exist_ok=True)
    for name, draw in PICTURES.items():
        path = out / f"{name}.jpg"
        draw(path)
        print(f"{path}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv)

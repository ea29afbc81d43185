"""CFF subsetting for PDF embedding: the glyphs a poster uses, CIDs kept, subroutines inlined.

Noto Sans/Serif CJK (Debian ``fonts-noto-cjk``) are OpenType collections with PostScript
(CFF) outlines: one CID-keyed CFF table of 65,535 glyphs (ROS Adobe-Identity-0) shared by the
SC, TC, HK, JP and KR faces.  A PDF embeds such a font as a ``CIDFontType0`` with a
``/FontFile3 /Subtype /CIDFontType0C`` stream (ISO 32000-1, 9.7.4 and 9.9; allowed in PDF/X-1a
as it is PDF 1.3): a bare CFF, here cut down to the glyphs used.

Why not fontTools' subsetter: it decompiles the whole font (the 65,535-entry charset, hmtx,
cmap, GSUB ...) and takes about 0.7 s per face and poster.  This module reads the CFF table's
raw bytes once per process (:func:`load`, cached) and per subset only touches the glyphs asked
for: their charstrings are *desubroutinized* (each ``callsubr``/``callgsubr`` replaced by the
subroutine's code, recursively, ``hintmask`` bytes counted from the stems seen; Adobe TN 5177
"The Type 2 Charstring Format"), so the subset needs no global or local subroutines (Noto's
largest FD has 28,538 local subroutines that would otherwise come along).  The subset keeps the
glyphs' CIDs (charset), their Font DICTs (FDSelect/FDArray, with the Private DICTs minus
``Subrs``) and the hints; the PDF's content stream addresses glyphs by CID through
``/Identity-H``.  Layout of the written CFF: Adobe TN 5176 "The Compact Font Format
Specification".
"""

from __future__ import annotations

import bisect
import functools
import struct
from dataclasses import dataclass

# Type 2 charstring operators (TN 5177, appendix A)
_HSTEM, _VSTEM, _CALLSUBR, _RETURN, _ESCAPE, _ENDCHAR = 1, 3, 10, 11, 12, 14
_HSTEMHM, _HINTMASK, _CNTRMASK, _VSTEMHM, _CALLGSUBR = 18, 19, 20, 23, 29
_STEMS = (_HSTEM, _VSTEM, _HSTEMHM, _VSTEMHM)


class CFFError(ValueError):
    """The CFF data is not something this module can subset (not CID-keyed, malformed)."""


class _Index:
    """A CFF INDEX read lazily from ``data`` at ``pos``: ``len()``, ``[i]`` -> bytes, ``end``."""

    def __init__(self, data: bytes, pos: int):
        self.data = data
        (self.count,) = struct.unpack_from(">H", data, pos)
        if self.count == 0:
            self.end = pos + 2
            return
        self.off_size = data[pos + 2]
        self.offsets_at = pos + 3
        self.base = self.offsets_at + (self.count + 1) * self.off_size - 1
        self.end = self.base + self._offset(self.count)

    def _offset(self, i: int) -> int:
        p = self.offsets_at + i * self.off_size
        return int.from_bytes(self.data[p:p + self.off_size], "big")

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> bytes:
        if not 0 <= i < self.count:
            raise IndexError(i)
        return self.data[self.base + self._offset(i):self.base + self._offset(i + 1)]


def _real(data: bytes, pos: int) -> tuple[float, int]:
    nibbles = "0123456789.EE?-"
    text = ""
    while True:
        b = data[pos]
        pos += 1
        for n in (b >> 4, b & 15):
            if n == 0xF:
                return float(text or 0), pos
            text += "E-" if n == 0xC else nibbles[n]


def _dict_tokens(data: bytes) -> list[tuple[int, list[float], bytes]]:
    """A DICT as ``[(operator, operands, raw bytes of operands + operator)]``; two-byte
    operators are ``1200 + b1``."""
    out, pos, operands, start = [], 0, [], 0
    while pos < len(data):
        b0 = data[pos]
        if b0 <= 21:
            op = 1200 + data[pos + 1] if b0 == 12 else b0
            pos += 2 if b0 == 12 else 1
            out.append((op, operands, data[start:pos]))
            operands, start = [], pos
        elif b0 == 28:
            operands.append(struct.unpack_from(">h", data, pos + 1)[0])
            pos += 3
        elif b0 == 29:
            operands.append(struct.unpack_from(">i", data, pos + 1)[0])
            pos += 5
        elif b0 == 30:
            value, pos = _real(data, pos + 1)
            operands.append(value)
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            pos += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[pos + 1] + 108)
            pos += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[pos + 1] - 108)
            pos += 2
        else:
            raise CFFError(f"bad DICT byte {b0}")
    return out


def _int5(v: int) -> bytes:
    """A DICT integer in its fixed 5-byte form (offsets written before they are known)."""
    return b"\x1d" + struct.pack(">i", v)


def _int(v: int) -> bytes:
    if -107 <= v <= 107:
        return bytes([v + 139])
    if 108 <= v <= 1131:
        v -= 108
        return bytes([(v >> 8) + 247, v & 0xFF])
    if -1131 <= v <= -108:
        v = -v - 108
        return bytes([(v >> 8) + 251, v & 0xFF])
    if -32768 <= v <= 32767:
        return b"\x1c" + struct.pack(">h", v)
    return _int5(v)


def _index(items: list[bytes]) -> bytes:
    if not items:
        return b"\x00\x00"
    offsets = [1]
    for item in items:
        offsets.append(offsets[-1] + len(item))
    size = 1 if offsets[-1] < 1 << 8 else 2 if offsets[-1] < 1 << 16 else 3 if offsets[-1] < 1 << 24 else 4
    head = struct.pack(">HB", len(items), size) + b"".join(o.to_bytes(size, "big") for o in offsets)
    return head + b"".join(items)


def _bias(count: int) -> int:
    return 107 if count < 1240 else 1131 if count < 33900 else 32768


@dataclass
class _FD:
    dict_tokens: list[tuple[int, list[float], bytes]]
    private_tokens: list[tuple[int, list[float], bytes]]
    subrs: _Index | None


class CFFFont:
    """A CID-keyed CFF font read from its table bytes (``data``), for subsetting."""

    def __init__(self, data: bytes):
        self.data = data
        if len(data) < 4 or data[0] != 1:
            raise CFFError("not a CFF version 1 table")
        names = _Index(data, data[2])
        self.name = names[0].decode("latin-1")
        tops = _Index(data, names.end)
        self.strings = _Index(data, tops.end)
        self.gsubrs = _Index(data, self.strings.end)
        top = {op: operands for op, operands, _raw in _dict_tokens(tops[0])}
        self.top_tokens = _dict_tokens(tops[0])
        if 1230 not in top:  # ROS
            raise CFFError("not a CID-keyed CFF font (no ROS)")
        self.ros = (self._string(int(top[1230][0])), self._string(int(top[1230][1])), int(top[1230][2]))
        self.cid_count = int(top.get(1234, [8720])[0])
        self.bbox = [int(v) for v in top.get(5, [0, 0, 0, 0])]
        self.charstrings = _Index(data, int(top[17][0]))
        self.n_glyphs = len(self.charstrings)
        self._charset_at = int(top.get(15, [0])[0])
        self._fdselect_at = int(top[1237][0])
        fds = _Index(data, int(top[1236][0]))
        self.fds: list[_FD] = []
        for i in range(len(fds)):
            tokens = _dict_tokens(fds[i])
            fd = {op: operands for op, operands, _raw in tokens}
            size, offset = (int(v) for v in fd[18])
            private = _dict_tokens(data[offset:offset + size])
            subrs_off = next((operands[0] for op, operands, _ in private if op == 19), None)
            self.fds.append(_FD(tokens, private, _Index(data, offset + int(subrs_off)) if subrs_off else None))
        self._cids: list[int] | None = None
        self._fd_ranges: tuple[list[int], list[int]] | None = None
        self._desubr: dict[int, bytes] = {}

    def _string(self, sid: int) -> str:
        if sid < 391:
            raise CFFError(f"standard string {sid} in ROS")
        return self.strings[sid - 391].decode("latin-1")

    # glyph -> CID, glyph -> FD -----------------------------------------------------------
    def _charset(self) -> list[int]:
        if self._cids is None:
            d, pos = self.data, self._charset_at
            cids = [0]
            fmt = d[pos]
            pos += 1
            if fmt == 0:
                cids += struct.unpack_from(f">{self.n_glyphs - 1}H", d, pos)
            else:
                while len(cids) < self.n_glyphs:
                    first = struct.unpack_from(">H", d, pos)[0]
                    n = d[pos + 2] if fmt == 1 else struct.unpack_from(">H", d, pos + 2)[0]
                    pos += 3 if fmt == 1 else 4
                    cids.extend(range(first, first + n + 1))
            self._cids = cids[:self.n_glyphs]
        return self._cids

    def cid(self, gid: int) -> int:
        """The CID of glyph ``gid`` (the code the PDF uses with /Identity-H)."""
        return self._charset()[gid]

    def fd_index(self, gid: int) -> int:
        d, pos = self.data, self._fdselect_at
        if d[pos] == 0:
            return d[pos + 1 + gid]
        if self._fd_ranges is None:
            if d[pos] != 3:
                raise CFFError(f"FDSelect format {d[pos]}")
            (n,) = struct.unpack_from(">H", d, pos + 1)
            firsts, fds = [], []
            for i in range(n):
                first, fd = struct.unpack_from(">HB", d, pos + 3 + 3 * i)
                firsts.append(first)
                fds.append(fd)
            self._fd_ranges = firsts, fds
        firsts, fds = self._fd_ranges
        return fds[bisect.bisect_right(firsts, gid) - 1]

    # charstrings -----------------------------------------------------------------------------
    def desubroutinized(self, gid: int) -> bytes:
        """Glyph ``gid``'s Type 2 charstring with every subroutine call inlined (cached)."""
        if gid not in self._desubr:
            fd = self.fds[self.fd_index(gid)]
            out = bytearray()
            state = {"stems": 0, "operands": [], "done": False}
            self._run(self.charstrings[gid], fd.subrs, out, state, 0)
            if not state["done"]:
                raise CFFError(f"glyph {gid} has no endchar")
            self._desubr[gid] = bytes(out)
        return self._desubr[gid]

    def _run(self, code: bytes, subrs: _Index | None, out: bytearray, state: dict, depth: int) -> None:
        if depth > 10:  # TN 5177: subroutine nesting is limited to 10
            raise CFFError("subroutines nested too deep")
        operands: list[tuple[float, bytes]] = state["operands"]
        pos, n = 0, len(code)
        while pos < n:
            b0 = code[pos]
            if b0 >= 32 or b0 == 28:  # a number
                if b0 == 28:
                    size, value = 3, struct.unpack_from(">h", code, pos + 1)[0]
                elif b0 <= 246:
                    size, value = 1, b0 - 139
                elif b0 <= 250:
                    size, value = 2, (b0 - 247) * 256 + code[pos + 1] + 108
                elif b0 <= 254:
                    size, value = 2, -(b0 - 251) * 256 - code[pos + 1] - 108
                else:
                    size, value = 5, struct.unpack_from(">i", code, pos + 1)[0] / 65536
                operands.append((value, code[pos:pos + size]))
                pos += size
                continue
            pos += 1
            if b0 in (_CALLSUBR, _CALLGSUBR):
                index = subrs if b0 == _CALLSUBR else self.gsubrs
                if index is None or not operands:
                    raise CFFError("call of a missing subroutine")
                number = int(operands.pop()[0]) + _bias(len(index))
                self._run(index[number], subrs, out, state, depth + 1)
                if state["done"]:
                    return
                continue
            if b0 == _RETURN:
                return
            for _value, raw in operands:
                out += raw
            if b0 == _ESCAPE:
                out += code[pos - 1:pos + 1]
                pos += 1
                operands.clear()
                continue
            out.append(b0)
            if b0 in _STEMS:
                state["stems"] += len(operands) // 2
            elif b0 in (_HINTMASK, _CNTRMASK):
                state["stems"] += len(operands) // 2  # an implied vstemhm before the mask
                size = (state["stems"] + 7) // 8
                out += code[pos:pos + size]
                pos += size
            operands.clear()
            if b0 == _ENDCHAR:
                state["done"] = True
                return

    # writing ---------------------------------------------------------------------------------
    def subset(self, gids: list[int], name: str) -> bytes:
        """A CID-keyed CFF holding ``.notdef`` and ``gids`` (their CIDs, outlines and hints),
        without subroutines, named ``name``."""
        glyphs = [0] + sorted(set(gids) - {0})
        used_fds = sorted({self.fd_index(g) for g in glyphs})
        new_fd = {fd: i for i, fd in enumerate(used_fds)}
        charstrings = [self.desubroutinized(g) for g in glyphs]
        strings = [self.ros[0].encode("latin-1"), self.ros[1].encode("latin-1")]
        charset = b"\x00" + struct.pack(f">{len(glyphs) - 1}H", *(self.cid(g) for g in glyphs[1:]))
        fdselect = b"\x00" + bytes(new_fd[self.fd_index(g)] for g in glyphs)
        privates = []
        for fd in used_fds:
            privates.append(b"".join(raw for op, _operands, raw in self.fds[fd].private_tokens if op != 19))

        def top_dict(charset_at: int, fdselect_at: int, charstrings_at: int, fdarray_at: int) -> bytes:
            return (_int(391) + _int(392) + _int(self.ros[2]) + b"\x0c\x1e"  # ROS
                    + b"".join(_int(v) for v in self.bbox) + b"\x05"  # FontBBox
                    + _int(self.cid_count) + b"\x0c\x22"  # CIDCount
                    + _int5(charset_at) + b"\x0f" + _int5(fdselect_at) + b"\x0c\x25"
                    + _int5(charstrings_at) + b"\x11" + _int5(fdarray_at) + b"\x0c\x24")

        header = b"\x01\x00\x04\x04"
        name_index = _index([name.encode("latin-1")])
        top_size = len(_index([top_dict(0, 0, 0, 0)]))
        head = len(header) + len(name_index) + top_size
        rest = _index(strings) + _index([])  # String INDEX, empty Global Subr INDEX
        charset_at = head + len(rest)
        fdselect_at = charset_at + len(charset)
        charstrings_at = fdselect_at + len(fdselect)
        cs_index = _index(charstrings)
        fdarray_at = charstrings_at + len(cs_index)

        def font_dicts(private_at: int) -> tuple[bytes, int]:
            dicts, at = [], private_at
            for fd, private in zip(used_fds, privates):
                kept = b"".join(raw for op, _operands, raw in self.fds[fd].dict_tokens if op not in (18, 1238))
                dicts.append(kept + _int5(len(private)) + _int5(at) + b"\x12")
                at += len(private)
            return _index(dicts), at

        probe, _ = font_dicts(0)
        private_at = fdarray_at + len(probe)
        fdarray, _ = font_dicts(private_at)
        out = (header + name_index + _index([top_dict(charset_at, fdselect_at, charstrings_at, fdarray_at)]) + rest
               + charset + fdselect + cs_index + fdarray + b"".join(privates))
        return out


@functools.lru_cache(maxsize=16)
def load(path: str, index: int) -> CFFFont:
    """The CFF of face ``index`` of the OpenType file or collection ``path``, read once per
    process (the table's bytes are read, nothing is decompiled up front; the faces of a Noto
    CJK collection share one CFF table, and so one :class:`CFFFont`)."""
    offset, length = _table(path, index)
    return _load_at(path, offset, length)


@functools.lru_cache(maxsize=8)
def _load_at(path: str, offset: int, length: int) -> CFFFont:
    with open(path, "rb") as f:
        f.seek(offset)
        return CFFFont(f.read(length))


def _table(path: str, index: int) -> tuple[int, int]:
    """Offset and length of the ``CFF `` table of face ``index`` of ``path``."""
    with open(path, "rb") as f:
        head = f.read(12)
        if head[:4] == b"ttcf":
            f.seek(12 + 4 * index)
            (offset,) = struct.unpack(">I", f.read(4))
        else:
            offset = 0
        f.seek(offset + 4)
        (num_tables,) = struct.unpack(">H", f.read(2))
        f.seek(offset + 12)
        records = f.read(16 * num_tables)
        for i in range(num_tables):
            tag, _checksum, table_at, length = struct.unpack_from(">4sIII", records, 16 * i)
            if tag == b"CFF ":
                return table_at, length
    raise CFFError(f"{path} (face {index}) has no CFF table (TrueType outlines are not supported here)")

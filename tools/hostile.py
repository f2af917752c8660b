"""The hostile corpus: small files, generated here, that a real document collection will
eventually contain: broken, truncated, encrypted, bombs, cycles, odd names. Every case states what
a run must do with it: publish it, reject it (with one of the listed error codes), or either (a
library may repair it). ``tests/test_hostile.py`` ingests them all beside a good document; the run
must never crash and lose nothing.

    python -m tools.hostile OUT_DIR      # writes the files and prints the table of cases

PDFs are written byte by byte (``pdf``) so that each defect is exactly the one named. Every case
is small on disk (the inflate bomb is ~0.5 MB that inflates to 512 MB).
"""

from __future__ import annotations

import hashlib
import random
import sys
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PUBLISHED, REJECTED, EITHER = "published", "rejected", "either"
READ_ERRORS = ("NotAPdf", "CorruptPdf", "ExtractionFailed", "ResourceLimitExceeded", "WorkerCrashed",
               "PageLimitExceeded", "EncryptedPdf", "TooLarge")


@dataclass(frozen=True)
class Case:
    name: str            # what the case is
    file_name: str       # the name it is written under
    make: Callable[[], bytes]
    expect: str          # published / rejected / either
    codes: tuple[str, ...] = READ_ERRORS  # allowed error codes when rejected
    # a legitimate document that is slow to read (many pages, a very long line): run under the
    # default time limits, not the tight ones the test sets for the hostile cases
    full_time: bool = False


# ------------------------------------------------------------------ a byte-exact PDF writer

def pdf(objects: list[bytes], *, root: int = 1, header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        trailer: bytes = b"", xref: bool = True, xref_shift: int = 0) -> bytes:
    """Objects 1..n (their bodies) with an xref table (offsets shifted by ``xref_shift`` to break it)."""
    out = bytearray(header)
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for off in offsets:
            out += b"%010d 00000 n \n" % (off + xref_shift)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, trailer, start + (xref_shift if not xref else 0))
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", length: int | None = None) -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data) if length is None else length, extra) + data + \
        b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
TEXT = b"BT /F1 12 Tf 72 760 Td (QUYET DINH So 12/2024/QD-UBND) Tj 0 -20 Td (Dieu 1. Ban hanh dinh muc.) Tj ET"


def page_objs(content: bytes = TEXT, media: bytes = b"[0 0 595 842]", extra: bytes = b"",
              resources: bytes = b"<< /Font << /F1 5 0 R >> >>") -> list[bytes]:
    """Catalog, Pages, one Page, its content, the font: objects 1-5."""
    return [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents 4 0 R /Resources %s %s>>" % (media, resources, extra),
            stream(content), FONT]


def simple(**kw: bytes) -> bytes:
    return pdf(page_objs(**kw))


def single_byte_font(text: str) -> tuple[bytes, Callable[[str], bytes]]:
    """A simple font whose encoding maps a byte to each non-ASCII letter of ``text`` (glyph names
    ``uniXXXX``, which PDF readers map to Unicode), and the function writing a string of ``text``'s
    letters as a PDF string: Unicode Vietnamese with a standard font, in a file written by hand."""
    extra = sorted({ch for ch in text if ord(ch) > 126})
    assert len(extra) <= 128
    code = {ch: 128 + i for i, ch in enumerate(extra)}
    names = b" ".join(b"/uni%04X" % ord(ch) for ch in extra)
    font = (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 /LastChar 255 /Widths [%s] "
            b"/Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [128 %s] >> >>"
            % (b" ".join([b"520"] * 224), names))

    def encode(line: str) -> bytes:
        raw = bytes(code.get(ch, ord(ch)) for ch in line)
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    return font, encode


VI_LINES = ("Điều 1. Quyết định số 12 về việc ban hành định mức kinh tế kỹ thuật",
            "trên địa bàn tỉnh; mức hỗ trợ được áp dụng từ ngày ký.")


def vietnamese_page(lines: tuple[str, ...] = VI_LINES, size: int = 4, top: int = 180) -> tuple[bytes, bytes]:
    """(content stream, font) of a small page of Unicode Vietnamese text at ``size`` pt."""
    font, encode = single_byte_font("".join(lines))
    shown = (b" 0 %d Td " % -(size + 2)).join(encode(line) + b" Tj" for line in lines)
    return b"BT /F1 %d Tf 8 %d Td " % (size, top) + shown + b" ET", font


def many_pages(n: int, content: bytes = TEXT, font: bytes = FONT) -> bytes:
    kids = b" ".join(b"%d 0 R" % (i + 6) for i in range(n))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
            b"<< /Font << /F1 5 0 R >> >>", stream(content), font]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources 3 0 R >>"] * n
    return pdf(objs)


def image_only() -> bytes:
    img = zlib.compress(bytes(random.Random(7).randrange(256) for _ in range(64 * 64)))
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
                stream(b"q 400 0 0 400 100 300 cm /Im1 Do Q"),
                stream(img, b"/Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
                            b"/BitsPerComponent 8 /Filter /FlateDecode ")])


def inflate_bomb(megabytes: int = 512) -> bytes:
    comp = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    data = b"".join(comp.compress(chunk) for _ in range(megabytes)) + comp.flush()
    return simple(content=b"") .replace(stream(b""), stream(data, b"/Filter /FlateDecode "))


def encrypted_rc4(user: bytes, owner: bytes = b"owner") -> bytes:
    """Standard security handler, revision 2 (RC4, 40-bit), streams encrypted: with an empty user
    password it opens without one; with any other it cannot be opened."""
    from pdfminer.arcfour import Arcfour

    pad = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
    doc_id = hashlib.md5(b"hostile").digest()
    okey = hashlib.md5((owner + pad)[:32]).digest()[:5]
    o_entry = Arcfour(okey).encrypt((user + pad)[:32])
    perms = -4
    key = hashlib.md5((user + pad)[:32] + o_entry + perms.to_bytes(4, "little", signed=True) + doc_id).digest()[:5]
    u_entry = Arcfour(key).encrypt(pad)

    def enc(num: int, data: bytes) -> bytes:
        k = hashlib.md5(key + num.to_bytes(3, "little") + b"\0\0").digest()[:10]
        return Arcfour(k).encrypt(data)

    objs = page_objs()
    objs[3] = stream(enc(4, TEXT))
    objs.append(b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (o_entry.hex().encode(),
                                                                              u_entry.hex().encode(), perms))
    return pdf(objs, trailer=b"/Encrypt 6 0 R /ID [<%s> <%s>] " % (doc_id.hex().encode(), doc_id.hex().encode()))


def nested_arrays(depth: int) -> bytes:
    return simple(extra=b"/Junk " + b"[" * depth + b"]" * depth + b" ")


def nested_dicts(depth: int) -> bytes:
    return simple(extra=b"/Junk " + b"<< /A " * depth + b"1" + b" >>" * depth + b" ")


def self_drawing_form() -> bytes:
    objs = page_objs(content=b"/Fm1 Do", resources=b"<< /XObject << /Fm1 6 0 R >> /Font << /F1 5 0 R >> >>")
    objs.append(stream(b"/Fm1 Do " + TEXT, b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "
                                           b"/Resources << /XObject << /Fm1 6 0 R >> /Font << /F1 5 0 R >> >> "))
    return pdf(objs)


def undecodable_glyphs() -> bytes:
    font = (b"<< /Type /Font /Subtype /TrueType /BaseFont /NoSuchFont /FirstChar 0 /LastChar 255 "
            b"/Encoding << /Type /Encoding /Differences [128 /g001 /g002 /g003] >> >>")
    objs = page_objs(content=b"BT /F1 12 Tf 72 700 Td <80818283FF00> Tj ET")
    objs[4] = font
    return pdf(objs)


def embedded_and_js(canary: Path) -> bytes:
    """A JavaScript open action and an embedded shell script that would create ``canary`` if run."""
    objs = page_objs()
    objs[0] = (b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R /Names << /EmbeddedFiles << /Names "
               b"[(../../evil.sh) 7 0 R] >> /JavaScript << /Names [(x) 6 0 R] >> >> >>")
    objs.append(b"<< /S /JavaScript /JS (app.alert('pwned'); this.exportDataObject({cName: 'evil.sh', nLaunch: 2});) >>")
    objs.append(b"<< /Type /Filespec /F (../../evil.sh) /UF (../../evil.sh) /EF << /F 8 0 R >> >>")
    objs.append(stream(b"#!/bin/sh\ntouch '%s'\n" % str(canary).encode(), b"/Type /EmbeddedFile "))
    return pdf(objs)


def launch_action() -> bytes:
    objs = page_objs()
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (/bin/sh) >> >>"
    return pdf(objs)


def _rand(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


GOOD = simple()


def cases(canary: Path | None = None) -> list[Case]:
    """The cases; ``canary`` is the file the embedded script would create if anything ran it
    (default: ``hostile-pwned`` in the system's temporary directory; the test passes its own)."""
    canary = Path(tempfile.gettempdir()) / "hostile-pwned" if canary is None else canary
    good = GOOD
    html = b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>Not found</body></html>\n"
    cut = lambda frac: good[: int(len(good) * frac)]  # noqa: E731
    c = [
        Case("zero bytes", "empty.pdf", lambda: b"", REJECTED, ("NotAPdf",)),
        Case("one byte", "one-byte.pdf", lambda: b"%", REJECTED, ("NotAPdf",)),
        Case("random bytes", "random.pdf", lambda: _rand(4096, 1), REJECTED, ("NotAPdf",)),
        Case("random bytes after a PDF header", "random-header.pdf", lambda: b"%PDF-1.7\n" + _rand(4096, 2), REJECTED),
        Case("header only", "header-only.pdf", lambda: b"%PDF-1.7\n", REJECTED),
        Case("HTML error page named .pdf", "page.pdf", lambda: html, REJECTED, ("NotAPdf",)),
        Case("JSON body named .pdf", "api.pdf", lambda: b'{"error": "not found"}', REJECTED, ("NotAPdf",)),
        Case("zip archive named .pdf", "archive.pdf", lambda: b"PK\x03\x04" + _rand(200, 3), REJECTED, ("NotAPdf",)),
        Case("truncated at 10%", "trunc-10.pdf", lambda: cut(0.1), EITHER),
        Case("truncated at 50%", "trunc-50.pdf", lambda: cut(0.5), EITHER),
        Case("truncated at 90%", "trunc-90.pdf", lambda: cut(0.9), EITHER),
        Case("last 20 bytes cut (no %%EOF)", "trunc-eof.pdf", lambda: good[:-20], EITHER),
        Case("broken xref offsets (repairable)", "xref-shift.pdf", lambda: pdf(page_objs(), xref_shift=7), EITHER),
        Case("no xref table (repairable)", "no-xref.pdf", lambda: pdf(page_objs(), xref=False), EITHER),
        Case("startxref points past the end", "startxref.pdf",
             lambda: good.replace(b"startxref\n", b"startxref\n99999") , EITHER),
        Case("NUL bytes in the middle", "nul-middle.pdf", lambda: good[:300] + b"\0" * 64 + good[300:], EITHER),
        Case("zero pages", "zero-pages.pdf", lambda: pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                                          b"<< /Type /Pages /Kids [] /Count 0 >>"]), EITHER),
        Case("negative page count", "count-negative.pdf",
             lambda: good.replace(b"/Count 1", b"/Count -1"), EITHER),
        Case("kids point to missing objects", "missing-kids.pdf",
             lambda: good.replace(b"/Kids [3 0 R]", b"/Kids [3 0 R 99 0 R]"), EITHER),
        Case("2500 pages (over the page limit)", "pages-2500.pdf", lambda: many_pages(2500), REJECTED,
             ("PageLimitExceeded", "ResourceLimitExceeded")),
        Case("300 tiny pages (200 × 200 pt) of Vietnamese text", "pages-300.pdf",
             lambda: many_pages(300, *vietnamese_page()), PUBLISHED, full_time=True),
        Case("huge MediaBox", "mediabox-huge.pdf", lambda: simple(media=b"[0 0 14400000 14400000]"), EITHER),
        Case("zero MediaBox", "mediabox-zero.pdf", lambda: simple(media=b"[0 0 0 0]"), PUBLISHED),
        Case("inverted MediaBox", "mediabox-inverted.pdf", lambda: simple(media=b"[595 842 0 0]"), EITHER),
        Case("MediaBox not numbers", "mediabox-junk.pdf", lambda: simple(media=b"[/a (b) <<>> null]"), EITHER),
        Case("rotation 45 degrees", "rotate-45.pdf", lambda: simple(extra=b"/Rotate 45 "), EITHER),
        Case("page tree cycle (kid is its parent)", "cycle-kids.pdf",
             lambda: good.replace(b"/Kids [3 0 R]", b"/Kids [2 0 R]"), PUBLISHED),
        Case("object referring to itself", "cycle-self.pdf",
             lambda: pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"2 0 R"]), EITHER),
        Case("content stream referring to itself", "cycle-contents.pdf",
             lambda: good.replace(b"/Contents 4 0 R", b"/Contents 3 0 R"), EITHER),
        Case("form XObject drawing itself", "cycle-form.pdf", self_drawing_form, EITHER),
        Case("arrays nested 50000 deep", "nested-arrays.pdf", lambda: nested_arrays(50000), EITHER),
        Case("dictionaries nested 20000 deep", "nested-dicts.pdf", lambda: nested_dicts(20000), EITHER),
        Case("inflate bomb (512 MB of zeros)", "bomb.pdf", inflate_bomb, EITHER),
        Case("unknown stream filter", "filter-unknown.pdf",
             lambda: simple().replace(stream(TEXT), stream(TEXT, b"/Filter /NoSuchDecode ")), EITHER),
        Case("corrupt Flate stream", "flate-corrupt.pdf",
             lambda: simple().replace(stream(TEXT), stream(_rand(300, 4), b"/Filter /FlateDecode ")), EITHER),
        Case("wrong stream /Length", "length-wrong.pdf",
             lambda: simple().replace(stream(TEXT), stream(TEXT, length=5)), EITHER),
        Case("JavaScript and an embedded file (not run, not extracted)", "javascript-embedded.pdf",
             lambda: embedded_and_js(canary),
             PUBLISHED),
        Case("launch action", "launch.pdf", launch_action, PUBLISHED),
        Case("image-only page", "scan.pdf", image_only, PUBLISHED),
        Case("undecodable glyphs", "glyphs.pdf", undecodable_glyphs, EITHER),
        Case("100k characters on one line", "long-line.pdf",
             lambda: simple(content=b"BT /F1 1 Tf 0 400 Td (" + b"x" * 100_000 + b") Tj ET"), PUBLISHED,
             full_time=True),
        Case("junk bytes before %PDF (500)", "junk-500.pdf", lambda: _rand(500, 5).replace(b"%", b"_") + good, EITHER),
        Case("junk bytes before %PDF (5000)", "junk-5000.pdf", lambda: _rand(5000, 6).replace(b"%", b"_") + good,
             EITHER),
        Case("two PDFs concatenated", "concat.pdf", lambda: good + good, EITHER),
        Case("trailer without /Root", "no-root.pdf", lambda: good.replace(b"/Root 1 0 R", b""), EITHER),
        Case("root is not a dictionary", "root-int.pdf", lambda: pdf([b"42"]), EITHER),
        Case("encrypted, empty user password", "enc-empty.pdf", lambda: encrypted_rc4(b""), PUBLISHED),
        Case("encrypted, unknown password", "enc-secret.pdf", lambda: encrypted_rc4(b"secret"), REJECTED,
             ("EncryptedPdf",)),
        Case("encrypted with an unknown security handler", "enc-handler.pdf",
             lambda: good.replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt << /Filter /NoSuchHandler /V 9 >>"),
             REJECTED, ("EncryptedPdf", "CorruptPdf", "ExtractionFailed")),
        Case("good document", "good.pdf", lambda: good, PUBLISHED),
        Case("same bytes under another name", "good-copy.pdf", lambda: good, PUBLISHED),
        Case("Vietnamese name (NFC)", "Quyết định số 12.pdf", lambda: good + b"%nfc\n", PUBLISHED),
        Case("Vietnamese name (NFD)", "Quye\u0302\u0301t đi\u0323nh nfd.pdf", lambda: good + b"%nfd\n", PUBLISHED),
        Case("shell metacharacters in the name", "a; rm -rf ~ $(touch pwned) `id` | x & y.pdf",
             lambda: good + b"%shell\n", PUBLISHED),
        Case("name like an option", "--help.pdf", lambda: good + b"%opt\n", PUBLISHED),
        Case("path-traversal-looking name", "..%2F..%2Fetc%2Fpasswd.pdf", lambda: good + b"%trav\n", PUBLISHED),
        Case("dot-dot name", "...pdf", lambda: good + b"%dots\n", PUBLISHED),
        Case("200-character name", "n" * 200 + ".pdf", lambda: good + b"%long\n", PUBLISHED),
        Case("quote and backslash in the name", "it's \"q\" \\ b.pdf", lambda: good + b"%quote\n", PUBLISHED),
    ]
    names = [x.file_name for x in c]
    assert len(set(names)) == len(names), "file names must be unique"
    return c


def write(out: Path, canary: Path | None = None) -> list[tuple[Case, Path]]:
    """Write every case into ``out`` (created); returns (case, path) pairs. ``canary``: see ``cases``
    (default: ``out/hostile-pwned``, so that nothing outside ``out`` is named)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for case in cases(out / "hostile-pwned" if canary is None else canary):
        path = out / case.file_name
        path.write_bytes(case.make())
        written.append((case, path))
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tools.hostile OUT_DIR", file=sys.stderr)
        return 2
    for case, path in write(Path(args[0])):
        print(f"{case.expect:9s} {path.stat().st_size:>9d}  {case.name}  ({path.name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

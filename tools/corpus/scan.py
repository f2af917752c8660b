"""Scanned variants of sample-corpus pages: what a provincial archive's scanner makes of them.

    python -m tools.corpus.scan data/samples/pdf/gov/vinhlong-33-2022.pdf --pages 1-8 --out build/scans/x.pdf

Each selected page is rendered (pypdfium2) at ``ScanSettings.dpi``, rotated slightly, given a
red seal stamped over the text and a blue signature, grain noise and JPEG compression, and
written into an image-only PDF with the original page size. The variant shares the truth of its
original (``data/samples/truth/<style>/<doc>.json``) restricted to the selected pages: nothing
in it is new text. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class ScanSettings:
    """How the scan degrades the page."""

    dpi: int = 200  # scanner resolution (archives scan at 150-300)
    max_rotation_deg: float = 0.8  # each page is turned by up to this, either way
    noise_sigma: float = 6.0  # grain: standard deviation of Gaussian noise, 0-255 scale
    jpeg_quality: int = 75
    stamp: bool = True  # a red round seal over the lower right quarter of the text
    signature: bool = True  # a blue pen stroke near the stamp
    seed: int = 0

    def __post_init__(self) -> None:
        if not 100 <= self.dpi <= 400:
            raise ValueError(f"ScanSettings.dpi must be within 100..400, got {self.dpi}")
        if not 0 <= self.max_rotation_deg <= 3:
            raise ValueError(f"ScanSettings.max_rotation_deg must be within 0..3, got {self.max_rotation_deg}")
        if not 0 <= self.noise_sigma <= 40:
            raise ValueError(f"ScanSettings.noise_sigma must be within 0..40, got {self.noise_sigma}")
        if not 20 <= self.jpeg_quality <= 100:
            raise ValueError(f"ScanSettings.jpeg_quality must be within 20..100, got {self.jpeg_quality}")


def parse_pages(spec: str) -> list[int]:
    """'1-3,7' → [1, 2, 3, 7]."""
    out: list[int] = []
    for part in spec.split(","):
        a, _, b = part.strip().partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def _stamp(img: np.ndarray, cx: int, cy: int, radius: int) -> None:
    """A red round seal (two rings, a star, text-like ticks) drawn over ``img`` in place."""
    import cv2

    red = (200, 30, 40)
    t = max(2, radius // 25)
    cv2.circle(img, (cx, cy), radius, red, t, cv2.LINE_AA)
    cv2.circle(img, (cx, cy), int(radius * 0.72), red, max(1, t // 2), cv2.LINE_AA)
    for k in range(36):  # the seal's lettering ring, as short strokes
        a = 2 * math.pi * k / 36
        r0, r1 = radius * 0.78, radius * 0.93
        p0 = (int(cx + r0 * math.cos(a)), int(cy + r0 * math.sin(a)))
        p1 = (int(cx + r1 * math.cos(a + 0.05)), int(cy + r1 * math.sin(a + 0.05)))
        cv2.line(img, p0, p1, red, t, cv2.LINE_AA)
    star = np.array([(cx + radius * 0.35 * math.cos(math.pi / 2 + k * 4 * math.pi / 5),
                      cy - radius * 0.35 * math.sin(math.pi / 2 + k * 4 * math.pi / 5)) for k in range(5)], np.int32)
    cv2.fillPoly(img, [star], red, cv2.LINE_AA)


def _signature(img: np.ndarray, x: int, y: int, width: int, rng: np.random.Generator) -> None:
    import cv2

    blue = (30, 40, 170)
    pts = []
    for i in range(60):
        u = i / 59
        pts.append((int(x + u * width), int(y + 0.12 * width * math.sin(u * 9 + rng.uniform(0, 1))
                                             - 0.1 * width * u)))
    cv2.polylines(img, [np.array(pts, np.int32)], False, blue, max(2, width // 90), cv2.LINE_AA)


def scan_image(rgb: np.ndarray, s: ScanSettings, rng: np.random.Generator) -> np.ndarray:
    """One rendered page (RGB, uint8) → the same page as scanned."""
    import cv2

    h, w = rgb.shape[:2]
    ink = np.full_like(rgb, 255)  # stamp and pen on a layer of their own, printed over the page as ink
    if s.stamp:
        _stamp(ink, int(w * rng.uniform(0.6, 0.75)), int(h * rng.uniform(0.45, 0.75)), int(w * 0.1))
    if s.signature:
        _signature(ink, int(w * rng.uniform(0.55, 0.65)), int(h * rng.uniform(0.8, 0.9)), int(w * 0.25), rng)
    img = np.minimum(rgb, ink)  # ink darkens; black text under a seal stays black
    angle = rng.uniform(-s.max_rotation_deg, s.max_rotation_deg)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(250, 250, 248))
    if s.noise_sigma:
        img = np.clip(img.astype(np.float32) + rng.normal(0, s.noise_sigma, img.shape), 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, s.jpeg_quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return cv2.cvtColor(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def scan_pdf(src: Path, out: Path, pages: list[int] | None = None, s: ScanSettings = ScanSettings()) -> Path:
    """Write the image-only scanned variant of ``pages`` (1-based; all when None) of ``src``."""
    import pypdfium2 as pdfium
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from extractors.ocr_image import render_page

    pdf = pdfium.PdfDocument(str(src))
    sizes = [pdf[i].get_size() for i in range(len(pdf))]
    pdf.close()
    pages = pages or list(range(1, len(sizes) + 1))
    rng = np.random.default_rng(s.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(out), invariant=1)
    for p in pages:
        w, h = sizes[p - 1]
        img = scan_image(render_page(src, p, s.dpi), s, rng)
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="JPEG", quality=s.jpeg_quality)
        buf.seek(0)
        c.setPageSize((w, h))
        c.drawImage(ImageReader(buf), 0, 0, w, h)
        c.showPage()
    c.save()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pdf", type=Path)
    ap.add_argument("--pages", default="", help="e.g. 1-4,7 (default: all)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--dpi", type=int, default=ScanSettings.dpi)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    scan_pdf(args.pdf, args.out, parse_pages(args.pages) if args.pages else None,
             ScanSettings(dpi=args.dpi, seed=args.seed))
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

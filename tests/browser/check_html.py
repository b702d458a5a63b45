#!/usr/bin/env python3
"""The HTML report in a real browser (issue 17): Debian's chromium, headless.

Usage: check_html.py OSTEOTRACK PATIENTS.json ESCAPES.json SCREENSHOT.png

- renders `batch --format html` of the example patients and reads the DOM
  chromium built (--dump-dom): each site's chart is there with one point per
  scan of the report's JSON (`batch --format json` of the same input), each
  point's value is the JSON's, and each LSC band sits at the baseline plus and
  minus the LSC in the chart's own coordinates;
- prints the page to PDF on A4 and on Letter (--print-to-pdf) and checks with
  poppler's pdftotext -bbox that no word runs past the paper's width;
- takes a screenshot at the width of A4 (794 CSS px) and checks that its
  rightmost columns are the page's white (nothing overflows the width), then
  keeps the top of it as SCREENSHOT (docs/images/report-example.png);
- checks that every text colour of the page passes WCAG AA contrast (4.5:1);
- renders a patient whose id and device hold <script> and quotes: the DOM has
  no script element and shows them as text.
Fails when chromium (or pdftotext) is missing: never skipped.
"""
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

AS_OF = "2024-06-01"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    print("FAIL: chromium is not installed (scripts/setup.sh installs Debian's chromium)")
    sys.exit(1)


def run_chromium(exe, args, url):
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--no-first-run", "--disable-dev-shm-usage"] + args + [url]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180)
    if r.returncode != 0:
        print(r.stderr.decode(errors="replace")[-2000:])
        raise SystemExit("FAIL: chromium exited %d: %s" % (r.returncode, " ".join(cmd)))
    return r.stdout.decode("utf-8")


class Dom(html.parser.HTMLParser):
    """The sections, figures, charts, points and bands of the dumped DOM."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections = []
        self.scripts = 0
        self.stack = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        cls = (a.get("class") or "").split()
        if tag == "section" and "patient" in cls:
            self.sections.append({"id": a.get("data-patient-id"), "figures": []})
        elif tag == "figure" and "site" in cls:
            self.sections[-1]["figures"].append(
                {"site": a.get("data-site"), "side": a.get("data-side") or None,
                 "svg": None, "points": [], "bands": []})
        elif tag == "svg" and "chart" in cls:
            self.sections[-1]["figures"][-1]["svg"] = a
        elif "scan" in cls and tag in ("circle", "path"):
            self.sections[-1]["figures"][-1]["points"].append(a)
        elif tag == "rect" and "lsc-band" in cls:
            self.sections[-1]["figures"][-1]["bands"].append(a)

    def handle_data(self, data):
        self.text.append(data)


def check_charts(dom, reports):
    if len(dom.sections) != len(reports):
        fail("%d sections in the DOM, %d reports in the JSON" % (len(dom.sections), len(reports)))
    charts = points = bands = 0
    for sec, rep in zip(dom.sections, reports):
        pid = rep["patient_id"]
        if sec["id"] != pid:
            fail("section %r is not patient %r" % (sec["id"], pid))
        series = {}
        for e in rep["bmd"]:
            series.setdefault((e["site"], e.get("side")), []).append(e)
        got = {(f["site"], f["side"]): f for f in sec["figures"]}
        if set(got) != set(series):
            fail("%s: charts %s, JSON series %s" % (pid, sorted(got, key=str), sorted(series, key=str)))
        for key, entries in series.items():
            f = got.get(key)
            if not f:
                continue
            charts += 1
            if f["svg"] is None:
                fail("%s %s: no SVG chart" % (pid, key))
                continue
            # the scans: the first one's baseline, then each entry's scan
            want = [(entries[0]["baseline_date"], entries[0]["baseline_g_cm2"])]
            want += [(e["date"], e["value_g_cm2"]) for e in entries]
            have = [(p.get("data-date"), float(p.get("data-value"))) for p in f["points"]]
            points += len(have)
            if len(have) != len(want):
                fail("%s %s: %d points, the JSON has %d scans" % (pid, key, len(have), len(want)))
            elif have != want:
                fail("%s %s: points %s, JSON %s" % (pid, key, have, want))
            svg = f["svg"]
            top, bottom = float(svg["data-plot-top"]), float(svg["data-plot-bottom"])
            ymin, ymax = float(svg["data-y-min"]), float(svg["data-y-max"])

            def y_of(v):
                return bottom - (bottom - top) * (v - ymin) / (ymax - ymin)

            # each baseline with an LSC has its band, at baseline +- LSC; a scan
            # that starts a new baseline (a scanner change) is in none
            want_bands = []
            for e in entries:
                b = (e["baseline_g_cm2"], e["lsc_g_cm2"])
                if e["lsc_g_cm2"] is not None and not e["new_baseline"] and b not in want_bands:
                    want_bands.append(b)
            if len(f["bands"]) != len(want_bands):
                fail("%s %s: %d LSC bands, want %d" % (pid, key, len(f["bands"]), len(want_bands)))
            for band, (base, lsc) in zip(f["bands"], want_bands):
                bands += 1
                y, h = float(band["y"]), float(band["height"])
                if abs(y - y_of(base + lsc)) > 0.02 or abs(y + h - y_of(base - lsc)) > 0.02:
                    fail("%s %s: band y %.2f..%.2f, baseline %g +- LSC %g is at %.2f..%.2f"
                         % (pid, key, y, y + h, base, lsc, y_of(base + lsc), y_of(base - lsc)))
                if float(band["data-baseline"]) != base or float(band["data-lsc"]) != lsc:
                    fail("%s %s: band says %s +- %s, JSON %g +- %g" % (
                        pid, key, band["data-baseline"], band["data-lsc"], base, lsc))
            # a point's y is its value's, in the same coordinates
            for p in f["points"]:
                v = float(p["data-value"])
                cy = float(p["cy"]) if "cy" in p else float(p["data-y"])
                if abs(cy - y_of(v)) > 0.02:
                    fail("%s %s: point %s at y %.2f, its value is at %.2f" % (
                        pid, key, p["data-date"], cy, y_of(v)))
    print("charts %d, points %d, LSC bands %d checked against the JSON" % (charts, points, bands))
    if charts == 0 or points == 0 or bands == 0:
        fail("nothing was checked")


def pdf_overflow(exe, page, size, tmp):
    """Prints page with @page size `size`; every word within the paper's width."""
    src = open(page, encoding="utf-8").read()
    if "@page{size:auto" not in src:
        fail("the page's CSS has no @page{size:auto")
    sized = os.path.join(tmp, "page-%s.html" % size)
    with open(sized, "w", encoding="utf-8") as f:
        f.write(src.replace("@page{size:auto", "@page{size:%s" % size, 1))
    pdf = os.path.join(tmp, "page-%s.pdf" % size)
    run_chromium(exe, ["--no-pdf-header-footer", "--print-to-pdf=" + pdf], "file://" + sized)
    if not shutil.which("pdftotext"):
        raise SystemExit("FAIL: pdftotext (poppler-utils) is not installed")
    bbox = subprocess.run(["pdftotext", "-bbox", pdf, "-"], stdout=subprocess.PIPE,
                          check=True).stdout.decode("utf-8", "replace")
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">', bbox)
    words = re.findall(r'<word xMin="([\d.-]+)" yMin="[\d.-]+" xMax="([\d.-]+)"', bbox)
    width = {"A4": 595.28, "Letter": 612.0}[size]
    if not pages or any(abs(float(w) - width) > 1 for w, _ in pages):
        fail("%s: the PDF's pages are not %s wide: %s" % (size, width, pages[:2]))
    margin = 12 / 25.4 * 72  # the page's @page margin, 12 mm
    over = [(a, b) for a, b in words if float(a) < margin - 0.5 or float(b) > width - margin + 0.5]
    print("%s: %d pages, %d words, rightmost word ends at %.1f of %.1f pt" % (
        size, len(pages), len(words), max(float(b) for _, b in words) if words else 0, width))
    if not words:
        fail("%s: no text in the PDF" % size)
    if over:
        fail("%s: %d words run past the page's width (into its margin): %s" % (size, len(over), over[:5]))


def luminance(hexcol):
    def ch(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hexcol[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def check_contrast(src):
    """WCAG AA: every text colour of the page (CSS color, SVG text fill) against
    the lightest and the darkest background it may sit on (white, the table
    heads' and the LSC band's tint) is at least 4.5:1."""
    texts = set(re.findall(r"(?<![-\w])color:#([0-9a-fA-F]{6})", src))
    texts |= set(re.findall(r'<text[^>]*fill="#([0-9a-fA-F]{6})"', src))
    backs = ["ffffff", "eef1f5", "dbe5f1"]
    worst = min((max(luminance(b), luminance(t)) + 0.05) / (min(luminance(b), luminance(t)) + 0.05)
                for t in texts for b in backs) if texts else 0
    print("contrast: %d text colours, the lowest ratio %.2f:1" % (len(texts), worst))
    if not texts or worst < 4.5:
        fail("a text colour is below WCAG AA (4.5:1): %.2f" % worst)


def png_rows(path):
    """The rows of an 8-bit RGB or RGBA PNG (not interlaced), as bytes."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("FAIL: %s is not a PNG" % path)
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise SystemExit("FAIL: unexpected PNG format %s" % (ihdr,))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def screenshot(exe, page, out, tmp):
    width = 794  # A4's width in CSS px (210 mm at 96 dpi)
    shot = os.path.join(tmp, "shot.png")
    run_chromium(exe, ["--window-size=%d,1500" % width, "--screenshot=" + shot], "file://" + page)
    w, h, bpp, rows = png_rows(shot)
    if w != width:
        fail("screenshot is %d px wide, not %d" % (w, width))
    # the right margin: the rightmost 8 columns of every row are the white page
    dirty = [y for y, row in enumerate(rows) if any(b != 255 for b in row[(w - 8) * bpp:])]
    if dirty:
        fail("something reaches the right edge of an A4-wide window at rows %s" % dirty[:5])
    ink = sum(1 for row in rows if any(b < 128 for b in row))
    print("screenshot %dx%d: right margin clear, %d rows with ink" % (w, h, ink))
    if ink < 200:
        fail("the screenshot is nearly blank (%d rows with ink)" % ink)
    shutil.copyfile(shot, out)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    binary, patients, escapes, out_png = sys.argv[1:]
    exe = chromium()
    tmp = tempfile.mkdtemp(prefix="ot-browser-")
    try:
        page = os.path.join(tmp, "patients.html")
        for fmt, path in (("html", page), ("json", os.path.join(tmp, "patients.json"))):
            subprocess.run([binary, "batch", patients, "--as-of", AS_OF, "--format", fmt,
                            "--output", path], check=True, stderr=subprocess.DEVNULL)
        reports = json.load(open(os.path.join(tmp, "patients.json"), encoding="utf-8"))
        src = open(page, encoding="utf-8").read()
        if re.search(r"<script|<link|@import|url\(|src=", src, re.I):
            fail("the page is not self-contained (a script, link, import, url() or src)")
        check_contrast(src)
        dom = Dom()
        dom.feed(run_chromium(exe, ["--dump-dom"], "file://" + page))
        check_charts(dom, reports)
        for size in ("A4", "Letter"):
            pdf_overflow(exe, page, size, tmp)
        # the README's picture: the first patient, at the width of A4
        screenshot(exe, page, out_png, tmp)
        # <script> and quotes in the input: text, never markup
        esc_page = os.path.join(tmp, "escapes.html")
        subprocess.run([binary, "batch", escapes, "--as-of", AS_OF, "--format", "html",
                        "--output", esc_page], check=True, stderr=subprocess.DEVNULL)
        if "<script" in open(esc_page, encoding="utf-8").read():
            fail("a raw <script in the escapes page")
        edom = Dom()
        edom.feed(run_chromium(exe, ["--dump-dom"], "file://" + esc_page))
        text = "".join(edom.text)
        if edom.scripts:
            fail("the escapes page has %d script elements in the DOM" % edom.scripts)
        for want in ("<script>alert(1)</script> \"O'Brien\" & co", "<script>alert(\"dev\")</script>'"):
            if want not in text:
                fail("the text %r is not shown as text" % want)
        if not edom.sections or edom.sections[0]["id"] != "<script>alert(1)</script> \"O'Brien\" & co":
            fail("the escaped patient id does not round-trip through the DOM's attribute")
        print("escapes: no script element; the id and the device read as text")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Renders a sluice HTML report in headless Chromium to a PNG and prints what a person would see, as JSON.

Usage: check_report.py REPORT.html OUT.png
Prints {"width", "height", "pngBytes", "svgGates", "foldedGates", "colours", "inkFraction", "redPixels", "bluePixels",
"thresholdLines", "passedBadges"}: the gate charts the HTML declares (data-gate attributes) and the gates it folds into
the "passed throughout" table (data-gate-summary attributes), and from the PNG the number of distinct colours, the
share of pixels that are not white, how many pixels have the report's threshold red (#c62828) and batch blue (#2f6fdb),
how many dashed red threshold lines are drawn (one per gate chart) and how many green "passed throughout" badges (one
per folded gate, #c8e6c9).
Exits 77 when Chromium is not installed (the caller skips, loudly), 1 when rendering fails or when the PNG does not
show one threshold line per chart and one badge per folded gate (the page must fit the 1400x3000 window).
"""
import json, os, re, shutil, struct, subprocess, sys, zlib


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def render(html, png):
    browser = chromium()
    if browser is None:
        print("chromium is not installed", file=sys.stderr)
        sys.exit(77)
    if os.path.exists(png):
        os.remove(png)
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--screenshot=" + png, "--window-size=1400,3000", "file://" + os.path.abspath(html)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if not os.path.exists(png):
        print("chromium wrote no screenshot:", result.stderr[-2000:], file=sys.stderr)
        sys.exit(1)


def decode(png):
    """Width, height and rows of (r, g, b) tuples of an 8-bit RGB or RGBA PNG."""
    data = open(png, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat = 8, b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    assert depth == 8 and colour_type in (2, 6), f"unsupported PNG: depth {depth}, colour type {colour_type}"
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def bands(rows, channels, predicate, minimum, gap=1):
    """The number of bands of pixel rows where `predicate(row, channels) >= minimum`; rows that hit less than `gap`
    rows apart are one band (a badge's text interrupts its fill for a dozen rows)."""
    count, last_hit = 0, None
    for y, row in enumerate(rows):
        if predicate(row, channels) >= minimum:
            if last_hit is None or y - last_hit > gap:
                count += 1
            last_hit = y
    return count


def red_dashes(row, channels):
    """How many dash-long (4-9 px) runs of threshold red a pixel row has: a dashed threshold line (6 px on, 4 off) has
    dozens across the plot; vertical decision lines cross a row in 1-2 px, batch bars and text in other widths."""
    dashes, width = 0, 0
    for x in range(0, len(row) + channels, channels):
        red = False
        if x < len(row):
            r, g, b = row[x], row[x + 1], row[x + 2]
            red = r > 150 and g < 140 and b < 140 and r - g > 70 and abs(g - b) < 30
        if red:
            width += 1
        else:
            if 4 <= width <= 9:
                dashes += 1
            width = 0
    return dashes


def badge_pixels(row, channels):
    """The longest run of pixels of a row in the "passed throughout" badge's green (#c8e6c9, give or take 3): a badge
    is a filled box a hundred pixels wide; anti-aliased green text elsewhere only grazes that colour."""
    longest, width = 0, 0
    for x in range(0, len(row), channels):
        if abs(row[x] - 0xC8) <= 3 and abs(row[x + 1] - 0xE6) <= 3 and abs(row[x + 2] - 0xC9) <= 3:
            width += 1
            longest = max(longest, width)
        else:
            width = 0
    return longest


def main():
    html, png = sys.argv[1], sys.argv[2]
    text = open(html, encoding="utf-8").read()
    gates = re.findall(r'<svg class="gate-chart" data-gate="([^"]*)"', text)
    folded = re.findall(r'<tr data-gate-summary="([^"]*)"', text)
    render(html, png)
    width, height, channels, rows = decode(png)
    colours, ink, red, blue, total = set(), 0, 0, 0, 0
    for row in rows:
        for x in range(0, len(row), channels):
            pixel = (row[x], row[x + 1], row[x + 2])
            total += 1
            if pixel != (255, 255, 255):
                ink += 1
                colours.add(pixel)
                if abs(pixel[0] - 0xC6) < 12 and abs(pixel[1] - 0x28) < 12 and abs(pixel[2] - 0x28) < 12:
                    red += 1
                if abs(pixel[0] - 0x2F) < 12 and abs(pixel[1] - 0x6F) < 12 and abs(pixel[2] - 0xDB) < 12:
                    blue += 1
    # A dashed threshold line spans the plot: at least 40 dashes in a row. Decision marks are vertical, batch bars solid.
    lines = bands(rows, channels, red_dashes, 40)
    badges = bands(rows, channels, badge_pixels, 40, gap=18)
    print(json.dumps({
        "width": width, "height": height, "pngBytes": os.path.getsize(png), "svgGates": gates, "foldedGates": folded,
        "colours": len(colours), "inkFraction": ink / total, "redPixels": red, "bluePixels": blue,
        "thresholdLines": lines, "passedBadges": badges,
    }))
    problems = []
    if lines != len(gates):
        problems.append(f"{lines} threshold lines drawn for {len(gates)} gate charts")
    if badges != len(folded):
        problems.append(f"{badges} 'passed throughout' badges drawn for {len(folded)} folded gates")
    if problems:
        print("the rendered page does not show what the HTML declares: " + "; ".join(problems), file=sys.stderr)
        sys.exit(1)


main()

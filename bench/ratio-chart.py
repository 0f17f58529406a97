#!/usr/bin/env python3
"""Draws docs/performance.md's chart: podnet/reference ratios as horizontal bars, each with its
target, as a self-contained SVG (no libraries). Input: a TSV of
    label <TAB> ratio <TAB> target <TAB> better   (better: "lower" or "higher")
usage: bench/ratio-chart.py docs/performance-ratios.tsv docs/performance-ratios.svg"""
import sys
from xml.sax.saxutils import escape

rows = []
for line in open(sys.argv[1]):
    if line.strip() and not line.startswith("#"):
        label, ratio, target, better = line.rstrip("\n").split("\t")
        rows.append((label, float(ratio), float(target), better.strip()))

bar_h, gap, left, width, top = 18, 8, 300, 420, 40
scale_max = max(3.5, max(max(r, t) for _, r, t, _ in rows) * 1.1)
x = lambda v: left + width * v / scale_max
height = top + len(rows) * (bar_h + gap) + 50
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{height}" '
       'font-family="sans-serif" font-size="12">',
       '<rect width="100%" height="100%" fill="white"/>',
       f'<text x="10" y="20" font-size="14" font-weight="bold">podnet / reference (Go plugins), same run; '
       'bar = measured, | = target</text>']
import math
for v in [0, 0.5, 1, 1.5, 2, 2.5, 3] + list(range(4, math.ceil(scale_max) + 1)):
    if v <= scale_max:
        out.append(f'<line x1="{x(v):.1f}" y1="{top - 5}" x2="{x(v):.1f}" y2="{height - 40}" '
                   f'stroke="{"#555" if v == 1 else "#ddd"}" stroke-width="{2 if v == 1 else 1}"/>')
        out.append(f'<text x="{x(v):.1f}" y="{height - 25}" text-anchor="middle">{v:g}x</text>')
out.append(f'<text x="{x(1):.1f}" y="{height - 10}" text-anchor="middle" fill="#555">1x = the reference</text>')
for i, (label, ratio, target, better) in enumerate(rows):
    y = top + i * (bar_h + gap)
    ok = ratio <= target if better == "lower" else ratio >= target
    color = "#2e7d32" if ok else "#c62828"
    out.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
    out.append(f'<rect x="{left}" y="{y}" width="{max(1.0, x(ratio) - left):.1f}" height="{bar_h}" fill="{color}"/>')
    out.append(f'<line x1="{x(target):.1f}" y1="{y - 3}" x2="{x(target):.1f}" y2="{y + bar_h + 3}" '
               'stroke="black" stroke-width="2"/>')
    out.append(f'<text x="{x(max(ratio, target)) + 6:.1f}" y="{y + 13}">{ratio:.2f}x '
               f'({"≤" if better == "lower" else "≥"} {target:g}x)</text>')
out.append("</svg>")
open(sys.argv[2], "w").write("\n".join(out) + "\n")

#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Turn the CSV written by examples/learning_rate into an SVG line chart (standard library only).

Usage: /usr/bin/python3 examples/plot_learning_rate.py learning_rate.csv learning_rate.svg
"""
import csv
import sys


def main(src: str, dst: str) -> None:
    with open(src, newline="") as f:
        rows = list(csv.reader(f))
    header, data = rows[0], [[float(v) for v in r] for r in rows[1:]]
    width, height, pad = 720, 360, 50
    max_x = max(r[0] for r in data) or 1.0
    max_y = max(max(r[1:]) for r in data) * 1.05 or 1.0
    colours = ["#1f77b4", "#2ca02c", "#d62728"]
    labels = ["too low", "suitable", "too high"]

    def px(x: float) -> float:
        return pad + (width - 2 * pad) * x / max_x

    def py(y: float) -> float:
        return height - pad - (height - 2 * pad) * y / max_y

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="black"/>',
           f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="black"/>',
           f'<text x="{width / 2}" y="{height - 15}" text-anchor="middle">epoch</text>',
           f'<text x="15" y="{height / 2}" transform="rotate(-90 15 {height / 2})" '
           f'text-anchor="middle">loss (MSE)</text>']
    for k in range(5):
        y = max_y * k / 4
        out.append(f'<text x="{pad - 5}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.2f}</text>')
    for k in range(6):
        x = max_x * k / 5
        out.append(f'<text x="{px(x):.1f}" y="{height - pad + 15}" text-anchor="middle">{x:.0f}</text>')
    for c in range(1, len(header)):
        points = " ".join(f"{px(r[0]):.1f},{py(r[c]):.1f}" for r in data)
        out.append(f'<polyline fill="none" stroke="{colours[c - 1]}" stroke-width="1.5" points="{points}"/>')
        eta = header[c].replace("eta_", "")
        out.append(f'<text x="{width - pad - 150}" y="{pad + 16 * c}" fill="{colours[c - 1]}">'
                   f'eta = {eta} ({labels[c - 1]})</text>')
    out.append("</svg>")
    with open(dst, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

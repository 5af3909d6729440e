"""What a window on an X display shows, read from its pixels: a screenshot and OCR.

``python -m tests.packaging.screen_text TITLE OUT.png`` (with ``DISPLAY`` set) finds the
window titled TITLE with xdotool, grabs its rectangle of the screen with Qt (what a person
sees), writes it to OUT.png, and prints what tesseract reads in it. The caption overlay draws
light text on a dark box: the image is made grey, inverted and doubled before OCR, which reads
dark text on white best.
"""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QGuiApplication, QImage


def window_rectangle(title: str) -> tuple[int, int, int, int]:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    shape = subprocess.run(
        ["xdotool", "getwindowgeometry", "--shell", found[0]],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(line.split("=", 1) for line in shape.split())
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def main(title: str, out: str) -> int:
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    app = QGuiApplication(sys.argv[:1])
    x, y, width, height = window_rectangle(title)
    shot = app.primaryScreen().grabWindow(0, x, y, width, height).toImage()
    shot.save(out)
    prepared = shot.convertToFormat(QImage.Format.Format_Grayscale8)
    prepared.invertPixels()
    prepared = prepared.scaled(width * 2, height * 2)
    ocr_input = out.removesuffix(".png") + "-ocr.png"
    prepared.save(ocr_input)
    text = subprocess.run(
        ["tesseract", ocr_input, "-", "--psm", "6"], capture_output=True, text=True, check=True
    ).stdout
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

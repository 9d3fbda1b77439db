#!/usr/bin/env python3
"""resources/ as the desktop and the build use it: the icons' PNGs rendered from the current
SVGs at the sizes the code and the install rules name, the .qrc listing files that exist, the
desktop entry valid (desktop-file-validate) and the MIME type accepted by update-mime-database.

Usage: check_resources.py SOURCE_DIR"""
import hashlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(sys.argv[1])
RES = ROOT / "resources"
ICONS = RES / "icons"
APP_SIZES = [16, 22, 24, 32, 48, 64, 128, 256]
problems = []


def png_size(path):
    data = path.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def check_png(path, size):
    if not path.is_file():
        problems.append(f"{path.relative_to(ROOT)} is missing (scripts/render-icons makes it)")
    elif png_size(path) != (size, size):
        problems.append(f"{path.relative_to(ROOT)} is {png_size(path)}, not {size}x{size}")


# The renders are those of the SVGs as they are now.
manifest = {}
for line in (ICONS / "rendered.sha256").read_text().splitlines():
    digest, name = line.split(maxsplit=1)
    manifest[name.lstrip("*")] = digest
svgs = ["torchestra.svg"] + sorted(f"toolbar/{p.name}" for p in (ICONS / "toolbar").glob("*.svg"))
for name in svgs:
    digest = hashlib.sha256((ICONS / name).read_bytes()).hexdigest()
    if manifest.get(name) != digest:
        problems.append(f"resources/icons/{name} changed since its PNGs were rendered: "
                        "run scripts/render-icons")
for size in APP_SIZES:
    check_png(ICONS / f"hicolor/{size}x{size}/apps/torchestra.png", size)
for svg in (ICONS / "toolbar").glob("*.svg"):
    check_png(svg.with_suffix(".png"), 24)
    check_png(svg.with_name(svg.stem + "@2x.png"), 48)

# The .qrc names files that exist, and every rendered PNG.
qrc = ET.parse(RES / "torchestra.qrc").getroot()
listed = {f.text for f in qrc.iter("file")}
for name in listed:
    if not (RES / name).is_file():
        problems.append(f"torchestra.qrc lists {name}, which does not exist")
for png in ICONS.rglob("*.png"):
    if str(png.relative_to(RES)) not in listed:
        problems.append(f"{png.relative_to(ROOT)} is not in torchestra.qrc")

# The desktop entry: valid, and naming what the install rules install.
validate = shutil.which("desktop-file-validate")
if not validate:
    problems.append("desktop-file-validate not found (desktop-file-utils; scripts/setup test)")
else:
    out = subprocess.run([validate, str(RES / "torchestra.desktop")], capture_output=True,
                         text=True)
    if out.returncode != 0 or out.stdout.strip():
        problems.append(f"torchestra.desktop: {out.stdout}{out.stderr}")
entry = (RES / "torchestra.desktop").read_text()
for want in ["Exec=torchestra %f", "Icon=torchestra", "application/x-torchestra", "audio/midi"]:
    if want not in entry:
        problems.append(f"torchestra.desktop has no '{want}'")

# The MIME type, as shared-mime-info compiles it.
update = shutil.which("update-mime-database")
if not update:
    problems.append("update-mime-database not found (shared-mime-info; scripts/setup test)")
else:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "packages").mkdir()
        shutil.copy(RES / "torchestra-mime.xml", Path(tmp) / "packages" / "torchestra.xml")
        out = subprocess.run([update, tmp], capture_output=True, text=True)
        globs = (Path(tmp) / "globs").read_text() if (Path(tmp) / "globs").exists() else ""
        if out.returncode != 0 or "application/x-torchestra:*.torchestra" not in globs:
            problems.append(f"torchestra-mime.xml: {out.stderr.strip()} globs: {globs!r}")

for p in problems:
    print("resources:", p)
print(f"resources: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)

#!/usr/bin/env python3
"""Checks that every source file includes only what its room may include (docs/architecture.md).

    check_layering.py ROOT [QT_INCLUDE_DIR]

Prints one line per violation ("core/ml/Trainer.cpp:5: ml may not include ml/neural/...") and
exits 1 when there is any. The compiler already refuses most wrong includes (each target exposes
only its own headers); this check covers what it cannot see: torch anywhere outside
core/ml/neural, Qt widget or GUI headers in core/, ml reaching into ml/neural (whose folder its
include root contains), and the order of the ui rooms.
"""
import os
import re
import sys

# Room of a file, by the longest matching folder prefix.
ROOMS = [
    ("core/base/", "base"),
    ("core/model/", "model"),
    ("core/midi/", "midi"),
    ("core/project/", "project"),
    ("core/playback/", "playback"),
    ("core/ml/neural/", "ml/neural"),
    ("core/ml/", "ml"),
    ("ui/common/", "ui/common"),
    ("ui/shell/", "ui/shell"),
    ("ui/panels/", "ui/panels"),
    ("ui/pianoroll/", "ui/pianoroll"),
    ("ui/tracks/", "ui/tracks"),
    ("ui/playback/", "ui/playback"),
    ("ui/", "ui"),
    ("app/cli/", "app/cli"),
    ("app/gui/", "app/gui"),
]

CORE = ["base", "model", "midi", "project", "playback", "ml", "ml/neural"]
UI_LEAVES = ["ui/common", "ui/pianoroll", "ui/tracks", "ui/playback"]
# What each room may include from the project, besides itself.
ALLOWED = {
    "base": [],
    "model": ["base"],
    "midi": ["model", "base"],
    "project": ["model", "midi", "base"],
    "playback": ["model", "base"],
    "ml": ["midi", "model", "base"],
    "ml/neural": ["ml", "midi", "model", "base"],
    "ui/common": ["midi", "model", "base"],  # FileFilters: the one list of MIDI suffixes
    "ui/pianoroll": ["ui/common", "project", "playback", "ml", "midi", "model", "base"],
    "ui/tracks": ["ui/common", "ui/pianoroll", "project", "playback", "midi", "model", "base"],
    "ui/playback": ["ui/common", "ui/pianoroll", "project", "playback", "midi", "model", "base"],
    "ui/panels": UI_LEAVES + ["project", "playback", "ml", "midi", "model", "base"],
    "ui/shell": ["ui/panels"] + UI_LEAVES + ["project", "playback", "ml", "midi", "model", "base"],
    "app/cli": ["cli"] + CORE,
    "app/gui": ["ui/shell", "ui/panels"] + UI_LEAVES + CORE,
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
TORCH = re.compile(r"^(torch|ATen|c10|caffe2)/")


def room_of(path):
    for prefix, room in ROOMS:
        if path.startswith(prefix):
            return room
    return None


def included_room(name):
    """The room a quoted project include belongs to ("ml/neural/X.h" -> "ml/neural")."""
    for room in sorted(set(r for _, r in ROOMS) | {"cli"}, key=len, reverse=True):
        if name.startswith(room + "/"):
            return room
    return None


def qt_headers(qt_dir, modules):
    names = set()
    for module in modules:
        folder = os.path.join(qt_dir, module) if qt_dir else ""
        if folder and os.path.isdir(folder):
            names.update(os.listdir(folder))
    return names


def check(root, qt_dir):
    gui_headers = qt_headers(qt_dir, ["QtWidgets", "QtGui", "QtCharts"])
    problems = []
    for top in ["core", "ui", "app", "tests", "bench"]:
        for folder, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if not f.endswith((".h", ".cpp", ".hpp", ".cc")):
                    continue
                path = os.path.relpath(os.path.join(folder, f), root).replace(os.sep, "/")
                if path.startswith("tests/arch/fixtures/") and root_is_repo(root):
                    continue
                problems += check_file(root, path, gui_headers)
    return problems


def root_is_repo(root):
    return os.path.isfile(os.path.join(root, "CMakeLists.txt"))


def check_file(root, path, gui_headers):
    room = room_of(path)
    problems = []
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as text:
        for number, line in enumerate(text, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            bracket, name = m.groups()
            where = "%s:%d: " % (path, number)
            if TORCH.match(name) and room != "ml/neural":
                problems.append(where + "only core/ml/neural may include torch (<%s>)" % name)
                continue
            if path.startswith("core/"):
                module = name.split("/")[0]
                base = name.split("/")[-1]
                if module in ("QtWidgets", "QtGui", "QtCharts") or (
                    "/" not in name and base in gui_headers
                ):
                    problems.append(where + "core/ may not include Qt GUI headers (<%s>)" % name)
                    continue
            if bracket != '"' or room is None or room not in ALLOWED:
                continue
            target = included_room(name)
            if target is None or target == room:
                continue
            if room == "ml" and target == "ml/neural":
                problems.append(where + "ml may not include ml/neural (register a model kind "
                                "in ml/ModelRegistry.h instead): \"%s\"" % name)
            elif target not in ALLOWED[room]:
                problems.append(where + "%s may not include %s: \"%s\"" % (room, target, name))
    return problems


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip())
        return 2
    problems = check(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
    for p in problems:
        print(p)
    print("layering: %d problem(s)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes the fuzzer's seed corpus: a few tiny MIDI files, each showing one shape the reader
handles specially. Run from anywhere: python3 tests/fuzz/make_corpus.py"""

import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def varlen(v):
    out = [v & 0x7F]
    v >>= 7
    while v:
        out.insert(0, 0x80 | (v & 0x7F))
        v >>= 7
    return bytes(out)


def header(fmt, ntrks, division):
    return b"MThd" + struct.pack(">IHHH", 6, fmt, ntrks, division)


def track(body, length=None):
    return b"MTrk" + struct.pack(">I", len(body) if length is None else length) + body


def ev(delta, *data):
    return varlen(delta) + bytes(data)


def meta(delta, kind, data):
    return varlen(delta) + bytes([0xFF, kind]) + varlen(len(data)) + data


END = meta(0, 0x2F, b"")

seeds = {
    # Format 0 with running status and a note-on velocity 0 note-off.
    "format0_running_status.mid": header(0, 1, 96)
    + track(ev(0, 0x90, 60, 100) + ev(0, 62, 90) + ev(96, 60, 0) + ev(0, 62, 0) + END),
    # Format 1: conductor with tempo, time and key signatures; a named track with program.
    "format1_conductor.mid": header(1, 2, 480)
    + track(
        meta(0, 0x03, b"Song")
        + meta(0, 0x51, b"\x07\xa1\x20")
        + meta(0, 0x58, b"\x03\x02\x18\x08")
        + meta(0, 0x59, b"\xfe\x01")
        + meta(960, 0x51, b"\x06\x1a\x80")
        + END
    )
    + track(
        meta(0, 0x03, b"Piano")
        + ev(0, 0xC0, 5)
        + ev(0, 0xB0, 7, 100)
        + ev(0, 0x90, 64, 80)
        + ev(240, 0x80, 64, 30)
        + ev(0, 0xE0, 0, 0x40)
        + END
    ),
    # Running status continued after a meta event; overlapping same-pitch notes.
    "running_status_after_meta.mid": header(0, 1, 96)
    + track(
        ev(0, 0x91, 60, 100)
        + meta(0, 0x01, b"x")
        + ev(10, 60, 90)
        + ev(10, 60, 0)
        + ev(10, 60, 0)
        + END
    ),
    # SysEx packets: F0 without its end, F7 continuation, F7 escape.
    "sysex_packets.mid": header(0, 1, 96)
    + track(
        ev(0, 0xF0, 3, 0x43, 0x12, 0x00)
        + ev(10, 0xF7, 3, 0x43, 0x12, 0xF7)
        + ev(10, 0xF7, 1, 0xFA)
        + END
    ),
    # SMPTE division (29.97 drop frame, 40 ticks per frame) and a tempo the reader ignores.
    "smpte.mid": header(0, 1, 0xE328)
    + track(meta(0, 0x51, b"\x07\xa1\x20") + ev(0, 0x90, 60, 1) + ev(40, 0x80, 60, 0) + END),
    # RIFF RMID wrapper around a format 0 file.
    "rmid.mid": (lambda smf: b"RIFF" + struct.pack("<I", 4 + 8 + len(smf)) + b"RMID" + b"data"
                 + struct.pack("<I", len(smf)) + smf)(
        header(0, 1, 96) + track(ev(0, 0x90, 60, 1) + ev(1, 0x80, 60, 0) + END)),
    # Format 2, an unknown chunk, a track whose length is too short, bytes after the end.
    "format2_odd_chunks.mid": header(2, 2, 96)
    + b"XFIH" + struct.pack(">I", 2) + b"hi"
    + track(ev(0, 0x90, 60, 1) + ev(4, 0x80, 60, 0) + END, length=4)
    + track(ev(0, 0x99, 36, 1) + END)
    + b"\x00\x00",
    # Every kind of meta event kept verbatim.
    "metas.mid": header(0, 1, 96)
    + track(
        b"".join(meta(0, t, b"t%d" % t) for t in list(range(0, 0x10)) + [0x20, 0x21, 0x54, 0x7F, 0x60])
        + END
    ),
}

os.makedirs(HERE, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")

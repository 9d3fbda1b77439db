#!/usr/bin/env python3
"""The corpus build's peer for bench/corpus_bench: the same files read with mido and turned
into a piano roll on the same grid, the way a Python pipeline would (pretty_midi and
muspy do this on top of mido).

    corpus_peer.py DIR [--steps-per-beat 4] [--workers 2] [--limit N]

Per file: mido.MidiFile, then per track the absolute tick of each event, note-ons paired with
note-offs per channel and pitch (drums on channel 10 left out, as ours), snapped to the nearest
step, into a steps x 88 "sounding" and "onset" roll (pitches 21..108) and a velocity per step.
numpy holds the rolls when it is installed, else bytearrays. Files that mido cannot read are
counted as refused. Nothing is written to disk (ours writes its shards: the peer is spared that).
Prints one line of JSON: files, refused, notes, steps, seconds, workers, numpy.
"""
import argparse
import json
import os
import sys
import time
from multiprocessing import Pool

import mido

try:
    import numpy
except ImportError:  # Debian's python3 has mido but not always numpy
    numpy = None

LOW, HIGH = 21, 108
PITCHES = HIGH - LOW + 1
STEPS_PER_BEAT = 4


def notes_of(mid):
    """(start tick, end tick, pitch, velocity) of every non-drum note."""
    notes = []
    for track in mid.tracks:
        tick = 0
        held = {}
        for msg in track:
            tick += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                if msg.channel != 9:
                    held.setdefault((msg.channel, msg.note), []).append((tick, msg.velocity))
            elif msg.type in ("note_off", "note_on"):
                starts = held.get((msg.channel, msg.note))
                if starts:
                    start, velocity = starts.pop(0)
                    notes.append((start, tick, msg.note, velocity))
    return notes


def roll(path):
    """(notes, steps) of one file's piano roll, or None when mido cannot read it."""
    try:
        mid = mido.MidiFile(path)
    except Exception:  # the peer refuses what it cannot read, as ours does
        return None
    per_step = mid.ticks_per_beat / STEPS_PER_BEAT
    notes = [n for n in notes_of(mid) if LOW <= n[2] <= HIGH]
    steps = 0
    for start, end, _, _ in notes:
        steps = max(steps, int(round(end / per_step)), int(round(start / per_step)) + 1)
    if numpy is not None:
        sounding = numpy.zeros((steps, PITCHES), dtype=numpy.uint8)
        onset = numpy.zeros((steps, PITCHES), dtype=numpy.uint8)
        velocity = numpy.full(steps, 255, dtype=numpy.uint8)
    else:
        sounding = bytearray(steps * PITCHES)
        onset = bytearray(steps * PITCHES)
        velocity = bytearray([255]) * steps
    for start, end, pitch, vel in notes:
        a = int(round(start / per_step))
        b = max(a + 1, int(round(end / per_step)))
        p = pitch - LOW
        if numpy is not None:
            sounding[a:b, p] = 1
            onset[a, p] = 1
        else:
            for t in range(a, b):
                sounding[t * PITCHES + p] = 1
            onset[a * PITCHES + p] = 1
        velocity[a] = min(7, vel // 16)
    return len(notes), steps


def midi_files(folder):
    out = []
    for root, _, names in os.walk(folder):
        for name in names:
            if name.lower().endswith((".mid", ".midi", ".kar", ".rmi")):
                out.append(os.path.join(root, name))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--steps-per-beat", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    global STEPS_PER_BEAT
    STEPS_PER_BEAT = args.steps_per_beat
    files = midi_files(args.folder)
    if args.limit > 0:
        files = files[: args.limit]
    start = time.perf_counter()
    with Pool(args.workers) as pool:
        results = pool.map(roll, files, chunksize=16)
    seconds = time.perf_counter() - start
    done = [r for r in results if r is not None]
    print(json.dumps({
        "files": len(files),
        "refused": len(files) - len(done),
        "notes": sum(r[0] for r in done),
        "steps": sum(r[1] for r in done),
        "seconds": seconds,
        "workers": args.workers,
        "numpy": numpy is not None,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

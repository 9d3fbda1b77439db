#!/usr/bin/env python3
"""Cross-checks `torchestra-cli inspect --json` against an independent reader (mido).

For each MIDI file given (or each *.mid in a given folder) both readers list format, resolution,
track count, tempo map, time signatures and every note as (track chunk, channel, pitch,
velocity, start, end), paired first-on-first-off per channel and pitch, with notes left sounding
ended at their track's end. Exit status 1 on any disagreement, naming the file and the field.
"""
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict, deque

import mido


def mido_view(path):
    mf = mido.MidiFile(path)
    notes, tempos, sigs = [], {}, {}
    for index, track in enumerate(mf.tracks):
        tick = 0
        open_notes = defaultdict(deque)
        for msg in track:
            tick += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                open_notes[(msg.channel, msg.note)].append((tick, msg.velocity))
            elif msg.type in ("note_off", "note_on"):
                queue = open_notes[(msg.channel, msg.note)]
                if queue:
                    start, vel = queue.popleft()
                    notes.append((index, msg.channel, msg.note, vel, start, tick))
            elif msg.type == "set_tempo":
                tempos[tick] = msg.tempo
            elif msg.type == "time_signature":
                sigs[tick] = (msg.numerator, msg.denominator)
        for (channel, pitch), queue in open_notes.items():
            for start, vel in queue:
                notes.append((index, channel, pitch, vel, start, tick))
    notes.sort(key=lambda n: (n[0], n[4], n[1], n[2], n[5]))
    return {
        "format": mf.type,
        "ppq": mf.ticks_per_beat,
        "tracks": len(mf.tracks),
        "tempos": sorted(tempos.items()),
        "timeSignatures": sorted((t, n, d) for t, (n, d) in sigs.items()),
        "notes": notes,
    }


def our_view(cli, path):
    run = subprocess.run([cli, "inspect", "--json", path], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"inspect exited {run.returncode}: {run.stderr.strip()}")
    j = json.loads(run.stdout)
    return {
        "format": j["format"],
        "ppq": j["ppq"],
        "tracks": j["tracks"],
        "tempos": [(t["tick"], t["usPerQuarter"]) for t in j["tempos"]],
        "timeSignatures": [(t["tick"], t["numerator"], t["denominator"])
                           for t in j["timeSignatures"]],
        "notes": [(n["track"], n["channel"], n["pitch"], n["velocity"], n["startTick"],
                   n["endTick"]) for n in j["notes"]],
    }


def main():
    if len(sys.argv) < 3:
        print("usage: compare_with_mido.py TORCHESTRA_CLI FILE_OR_DIR...", file=sys.stderr)
        return 2
    cli, files = sys.argv[1], []
    for arg in sys.argv[2:]:
        if os.path.isdir(arg):
            files += sorted(os.path.join(arg, f) for f in os.listdir(arg)
                            if f.lower().endswith((".mid", ".midi")))
        else:
            files.append(arg)
    if not files:
        print("compare_with_mido: no MIDI files given", file=sys.stderr)
        return 1
    bad_files, total_notes = set(), 0
    for path in files:
        ours, theirs = our_view(cli, path), mido_view(path)
        for key in ("format", "ppq", "tracks", "tempos", "timeSignatures", "notes"):
            a_val, b_val = ours[key], theirs[key]
            if key == "notes":
                # Notes equal in the contract's sort key may come in either order.
                a_val, b_val = sorted(a_val), sorted(b_val)
            if a_val != b_val:
                bad_files.add(path)
                detail = ""
                if key == "notes":
                    a, b = Counter(a_val), Counter(b_val)
                    detail = f" (only ours: {sorted((a - b).elements())[:3]}, " \
                             f"only mido: {sorted((b - a).elements())[:3]})"
                print(f"MISMATCH {path}: {key}{detail}")
        contract_key = [(n[0], n[4], n[1], n[2], n[5]) for n in ours["notes"]]
        if contract_key != sorted(contract_key):
            bad_files.add(path)
            print(f"MISMATCH {path}: notes not sorted by (track, startTick, channel, pitch, endTick)")
        total_notes += len(theirs["notes"])
    print(f"compared {len(files)} files, {total_notes} notes: "
          f"{len(files) - len(bad_files)} agree, {len(bad_files)} disagree")
    return 1 if bad_files else 0


if __name__ == "__main__":
    sys.exit(main())

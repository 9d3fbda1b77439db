// Cross-check helper: prints the notes of a MIDI file as @tonejs/midi reads them, as a JSON array
// in the shape of `torchestra-cli inspect --json`'s "notes":
//   {"track","channel","pitch","velocity","startTick","endTick"}
// sorted by (track, startTick, channel, pitch, endTick, velocity).
//
//   node bench/tonejs/compare.mjs FILE > tonejs.json
//
// @tonejs/midi splits each track chunk into one track per (program, channel) and drops a first
// format 1 track without notes; this script maps its tracks back to chunk indices (repeating
// that bookkeeping on midi-file's raw events, the parser @tonejs/midi itself uses), and takes
// each note's channel from its split track, which holds one channel.
// Known differences from our reader, by design of @tonejs/midi: it pairs a note-on with the
// first note-off of the same pitch at the same tick or later in its split track, so a program
// change between note-on and note-off separates them and a note-off just before a note-on at the
// same tick ends it at once; and it drops notes that are never switched off. On the 31 files of
// Debian's openttd-openmsx, 27 agree exactly with our reader; the 4 others differ only in those
// ways (checked by hand, 2026-11-25).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Midi } = require("@tonejs/midi");
const { parseMidi } = require("midi-file");

const file = process.argv[2];
if (!file) {
    console.error("usage: node compare.mjs FILE");
    process.exit(2);
}
const bytes = new Uint8Array(readFileSync(file));
const midi = new Midi(bytes);
const raw = parseMidi(bytes);

// Which chunk each of @tonejs/midi's tracks comes from (see splitTracks in its Midi.js).
const origin = [];
raw.tracks.forEach((events, chunk) => {
    const keys = new Set();
    const program = Array(16).fill(0);
    for (const e of events) {
        if (e.channel === undefined)
            continue;
        if (e.type === "programChange")
            program[e.channel] = e.programNumber;
        keys.add(`${program[e.channel]} ${e.channel}`);
    }
    for (let k = 0; k < Math.max(1, keys.size); k++)
        origin.push(chunk);
});
// A format 1 file's first track is dropped when it has no notes.
const offset = origin.length - midi.tracks.length;

const notes = [];
midi.tracks.forEach((track, t) => {
    for (const n of track.notes) {
        notes.push({
            track: origin[t + offset],
            channel: track.channel,
            pitch: n.midi,
            velocity: Math.round(n.velocity * 127),
            startTick: n.ticks,
            endTick: n.ticks + n.durationTicks,
        });
    }
});

const key = (n) => [n.track, n.startTick, n.channel, n.pitch, n.endTick, n.velocity];
notes.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < x.length; i++)
        if (x[i] !== y[i])
            return x[i] - y[i];
    return 0;
});
process.stdout.write("[\n" + notes.map((n) => JSON.stringify(n)).join(",\n") + "\n]\n");

// Peer benchmark: how fast @tonejs/midi reads a MIDI file (the parse into a Midi object with its
// notes, as an app would use it), best of N runs, from bytes already in memory. Also times
// midi-file's parseMidi alone (the raw event parser @tonejs/midi is built on) for context.
//
//   node bench/tonejs/read.mjs FILE [RUNS]
// prints one JSON line: {"bytes","runs","seconds","mbPerSec","notes","notesPerSec",
//                        "rawParseSeconds","rawParseMbPerSec"}

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Midi } = require("@tonejs/midi");
const { parseMidi } = require("midi-file");

const [file, runsArg] = process.argv.slice(2);
if (!file) {
    console.error("usage: node read.mjs FILE [RUNS]");
    process.exit(2);
}
const runs = Math.max(1, Number(runsArg ?? 3));
const bytes = new Uint8Array(readFileSync(file));

function best(fn) {
    let seconds = Infinity;
    let result;
    for (let i = 0; i < runs; i++) {
        const t0 = process.hrtime.bigint();
        result = fn();
        const t1 = process.hrtime.bigint();
        seconds = Math.min(seconds, Number(t1 - t0) / 1e9);
    }
    return { seconds, result };
}

const full = best(() => new Midi(bytes));
const notes = full.result.tracks.reduce((n, t) => n + t.notes.length, 0);
const raw = best(() => parseMidi(bytes));

console.log(JSON.stringify({
    bytes: bytes.length,
    runs,
    seconds: full.seconds,
    mbPerSec: bytes.length / 1e6 / full.seconds,
    notes,
    notesPerSec: notes / full.seconds,
    rawParseSeconds: raw.seconds,
    rawParseMbPerSec: bytes.length / 1e6 / raw.seconds,
}));

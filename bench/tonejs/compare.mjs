// Cross-check helper: prints the notes of a MIDI file as @tonejs/midi reads them, as a JSON array
// in the shape of `torchestra-cli inspect --json`'s "notes":
//   {"track","channel","pitch","velocity","startTick","endTick"}
// sorted by (track, startTick, channel, pitch, endTick, velocity).
//
//   node bench/tonejs/compare.mjs FILE > tonejs.json
//
// @tonejs/midi notes carry no channel, so each note takes the channel of the note-on it came from:
// the first not yet used note-on of the same track, tick and pitch in midi-file's raw events (the
// parser @tonejs/midi itself uses). Where one track starts the same pitch at the same tick on two
// channels, which of the two notes gets which channel is a guess.
// Known differences from our reader, by design of @tonejs/midi: it pairs note-offs with note-ons
// of the same pitch on any channel, and drops notes that are never switched off.

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

const notes = [];
midi.tracks.forEach((track, t) => {
    // (tick, pitch) -> channels of the note-ons there, in file order.
    const onChannels = new Map();
    let tick = 0;
    for (const e of raw.tracks[t] ?? []) {
        tick += e.deltaTime;
        if (e.type === "noteOn") {
            const key = `${tick}:${e.noteNumber}`;
            if (!onChannels.has(key))
                onChannels.set(key, []);
            onChannels.get(key).push(e.channel);
        }
    }
    for (const n of track.notes) {
        const queue = onChannels.get(`${n.ticks}:${n.midi}`);
        const channel = queue && queue.length ? queue.shift() : track.channel;
        notes.push({
            track: t,
            channel,
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

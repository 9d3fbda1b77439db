// Standard MIDI File reader.
//
// Policy (also in docs/midi-reading.md): what can be read sensibly loads, with warnings a user
// sees; what cannot gives ReadResult{ok = false} and an error that starts with the byte offset.
// Every length field is checked against the bytes that remain before anything is allocated or
// read, so a file claiming 4 GB costs nothing. The parser works on a string_view with plain
// inline byte access: reading must stay far faster than the JavaScript peer (see bench/).
//
// Rules the code follows, in the order a file is met:
//  * "RIFF" <len> "RMID" wraps an SMF in its "data" chunk; offsets stay those of the whole file.
//  * "MThd" must be at byte 0 (after the RIFF header); a header cut short is an error.
//  * Format 0 and 1 as usual; format 2 reads each pattern as a track (warning); other formats
//    read as format 1 (warning).
//  * SMPTE division: ppq = fps * ticksPerFrame with a quarter lasting exactly 1 s (tempo
//    1,000,000 us); for -29 (29.97 drop frame) ppq = 30 * ticksPerFrame with tempo 1,001,000 us.
//    The file's own tempo events are then ignored (warning), since they would change timing the
//    division already fixes.
//  * At most 65535 track chunks are read (what a header can declare); the rest are ignored
//    (warning).
//  * Unknown chunks are skipped (warning). Bytes that are not a plausible chunk where one should
//    start end the file (warning).
//  * An MTrk length past the end of the file is clamped (warning). A length that ends the chunk
//    before its End of Track, where the bytes at the declared end are not a plausible chunk id,
//    is taken as a lie: parsing continues until End of Track or end of file (warning). A length
//    that runs past End of Track while an "MTrk" follows End of Track directly is also a lie.
//    Other bytes between End of Track and the declared end are read on as events when they
//    parse strictly as events (a premature End of Track: other readers play them), else ignored
//    (warning either way).
//  * Running status: meta and SysEx events cancel it (as the spec says), but real files disagree,
//    so a data byte where a status byte belongs continues the last channel status if there was
//    one (warning, once per track). A data byte with no status ever seen is an error.
//  * Data bytes >= 0x80 where a data byte belongs are clipped to 127 (warning): the musically
//    nearer value (velocity 0xE0 plays at 127, not at the 96 masking would give).
//  * Notes pair per (channel, pitch) first-in first-out. Note-on velocity 0 is a note-off with
//    release velocity 64. A note-off with no open note is dropped (warning). Notes left open end
//    at End of Track (or the track's last event) (warning).
//  * Truncation: if the header is complete and at least one MTrk chunk header was read,
//    everything before the cut loads (warning); otherwise it is an error.
//  * Delta times and lengths are at most 4 bytes long; a longer one is an error.
//  * System common and real-time bytes (F1-F6, F8-FE) do not belong in a file; they are skipped
//    with their standard data length (warning).
//  * Track name: the first FF 03 at tick 0. Track channel: that of the first channel message
//    (kept events and note-ons; dropped note-offs do not count). Track program: a program change
//    at tick 0 that is the track's very first channel message (else it stays an event). Tempo,
//    time and key signatures from any track go to the tempo map; other metas and SysEx verbatim.
//  * Warnings are capped per kind (ReadWarnings::kMaxPerKind), then summarised as "... and N more".
//
// Where the parts live (core/midi/internal/): SmfReader (RIFF wrapper, header, chunk framing),
// TrackReader (the events of one track chunk, running status, chunk-length repairs),
// NotePairer (note-on/off pairing and the note order), TempoMetaReader (tempo, time and key
// signatures of every track into one tempo map), ReadWarnings (the per-kind cap), SmfBytes
// (byte access and the fatal ParseError).

#include "midi/MidiFile.h"

#include "base/AtomicFile.h"
#include "midi/internal/SmfBytes.h"
#include "midi/internal/SmfReader.h"

#include <exception>

namespace torchestra::midi {

ReadResult readMidi(std::string_view bytes) {
    ReadResult result;
    try {
        SmfReader reader(bytes, result);
        reader.run();
        result.ok = true;
    } catch (const ParseError& e) {
        result = ReadResult();
        result.ok = false;
        result.error = e.message;
        result.errorOffset = e.offset;
    } catch (const std::exception& e) {
        // Only allocation failure can get here; report it rather than crash.
        result = ReadResult();
        result.ok = false;
        result.error = "byte 0: cannot read the file: " + std::string(e.what());
    }
    return result;
}

ReadResult readMidiFile(const std::string& path) {
    std::string bytes;
    const std::string error = base::readWholeFile(path, bytes);
    if (!error.empty()) {
        // The caller names the file; keep only what went wrong.
        ReadResult result;
        const std::string prefix = path + ": ";
        result.error =
            error.compare(0, prefix.size(), prefix) == 0 ? error.substr(prefix.size()) : error;
        return result;
    }
    return readMidi(bytes);
}

} // namespace torchestra::midi

// Writes the demo arrangement used by scripts/screenshot: `ui_demo_midi OUT.mid`.
#include "DemoSong.h"

#include "midi/MidiFile.h"

#include <cstdio>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT.mid\n", argv[0]);
        return 2;
    }
    const std::string error =
        torchestra::midi::writeMidiFile(argv[1], torchestra::ui::test::makeDemoSong());
    if (!error.empty()) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    return 0;
}

#pragma once

#include "model/Song.h"

namespace torchestra::ui::test {

// A short, deterministic multi-track arrangement (flute melody, strings, piano arpeggios, bass,
// drums) in A minor with a tempo change and two bars of 3/4, so the screenshot and the GUI
// tests see real-looking material: several channels, GM programs, a drum track, varied
// velocities and a time-signature change the ruler must honour.
model::Song makeDemoSong();

} // namespace torchestra::ui::test

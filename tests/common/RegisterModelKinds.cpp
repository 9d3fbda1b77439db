// Registers every model kind before any test runs, as the executables' main() does. A source of
// the test binary (not a library), so the linker always keeps it.
#include "ml/neural/NeuralKinds.h"

namespace {
const bool kRegistered = [] {
    torchestra::ml::neural::registerNeuralKinds();
    return true;
}();
} // namespace

#pragma once

// What the learning commands' tests read from a checkpoint and the files they choose on.
#include "CliTestUtil.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

namespace torchestra::clitest {

// A checkpoint's metadata, read from its header (16 bytes of magic, the version, the header's
// size, then the header as JSON); empty if unreadable.
inline QJsonObject checkpointMetadata(const std::string& checkpoint) {
    const std::string bytes = slurp(checkpoint);
    std::uint32_t size = 0;
    if (bytes.size() < 24)
        return {};
    std::memcpy(&size, bytes.data() + 20, sizeof size);
    if (bytes.size() < 24 + std::size_t(size))
        return {};
    return QJsonDocument::fromJson(QByteArray(bytes.data() + 24, qsizetype(size)))["metadata"]
        .toObject();
}

// Two validation files of 32 bars: 12 windows of a primer bar and four bars, the fewest a
// model chooses its sampling on (ml/SamplingCalibration.h).
inline std::string longValidFolder() {
    const std::string valid = tempDir() + "/long-valid";
    std::filesystem::create_directories(valid);
    for (int i = 0; i < 2; ++i)
        EXPECT_EQ(midi::writeMidiFile(valid + "/long" + std::to_string(i) + ".mid",
                                      cMajorSong(10 + i, 32)),
                  "");
    return valid;
}

} // namespace torchestra::clitest

#include "ui/playback/SoundFontSetting.h"

#include "playback/SoundFontLocator.h"

#include <QSettings>

namespace torchestra::ui {

namespace {
// Where versions before the shared store kept the choice.
constexpr const char* kOldSoundFontKey = "playback/soundFont";
} // namespace

QString storedSoundFont() {
    QSettings settings;
    const QString old = settings.value(kOldSoundFontKey).toString();
    if (!old.isEmpty()) {
        if (playback::SoundFontLocator::rememberedChoice().empty())
            playback::SoundFontLocator::rememberChoice(old.toStdString()); // a gone file: dropped
        settings.remove(kOldSoundFontKey);
    }
    return QString::fromStdString(playback::SoundFontLocator::rememberedChoice());
}

QString storeSoundFont(const QString& path) {
    const std::string error = path.isEmpty()
                                  ? playback::SoundFontLocator::forgetChoice()
                                  : playback::SoundFontLocator::rememberChoice(path.toStdString());
    return QString::fromStdString(error);
}

} // namespace torchestra::ui

#pragma once

#include <QDialog>
#include <QString>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace torchestra::ui {

class PlaybackController;

// Preferences: the SoundFont (found automatically or chosen; a missing or broken file is refused
// with a message naming it and the previous choice stays), the audio driver (automatic or one
// of FluidSynth's), the MIDI output ("Built-in synthesizer" or a port) and input, and the
// autosave interval. Reads QSettings when shown; accept() stores the choices and restarts the
// controller's output. GUI thread only.
class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    static constexpr const char* kAutosaveKey = "autosaveSeconds"; // MainWindow's key

    explicit SettingsDialog(PlaybackController* controller, QWidget* parent = nullptr);

    // Checks a SoundFont and, when it is fine, makes it the choice (loaded into the running
    // synth at once). On failure returns false, shows the reason and keeps the previous one.
    bool chooseSoundFont(const QString& path);
    QString soundFont() const { return m_soundFontPath; }
    QString soundFontError() const { return m_soundFontError; }

    QComboBox* driverBox() const { return m_driver; }
    QComboBox* midiOutBox() const { return m_midiOut; }
    QComboBox* midiInBox() const { return m_midiIn; }
    QSpinBox* autosaveBox() const { return m_autosave; }
    QLabel* soundFontStatus() const { return m_soundFontStatus; }

    // Stores the choices in QSettings and applies them (accept() does this).
    void save();

    // Replaces the file dialog of the Choose button (tests).
    void setFileChooser(std::function<QString()> chooser) { m_chooser = std::move(chooser); }

public slots:
    void accept() override;

private:
    void browse();
    void showSoundFont();

    PlaybackController* m_controller;
    QString m_soundFontPath; // "" = automatic
    QString m_soundFontError;
    QLineEdit* m_soundFont = nullptr;
    QLabel* m_soundFontStatus = nullptr;
    QComboBox* m_driver = nullptr;
    QLabel* m_output = nullptr;
    QComboBox* m_midiOut = nullptr;
    QComboBox* m_midiIn = nullptr;
    QSpinBox* m_autosave = nullptr;
    std::function<QString()> m_chooser;
};

} // namespace torchestra::ui

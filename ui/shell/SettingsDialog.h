#pragma once

#include <QDialog>
#include <QString>

#include <functional>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace torchestra::ui {

class PlaybackController;

// Preferences: the SoundFont (found automatically or chosen; a missing or broken file is refused
// with a message naming it and the previous choice stays), the audio driver (automatic or one
// of FluidSynth's), the MIDI output ("Built-in synthesizer" or a port) and input, and the
// autosave interval. Reads QSettings when shown; accept() stores the choices and restarts the
// controller's output. GUI thread only.
//
// A chosen SoundFont is loaded into the running synth on the audio worker while the dialog
// stays responsive ("Loading <file>..."; Choose, Automatic and OK are disabled meanwhile); it
// becomes the dialog's choice only once the synth took it. An accept() during the load (Enter,
// a program) waits for the outcome without blocking, then saves and closes, so the stored
// setting names the SoundFont that actually plays: the new one when it loaded, else the
// previous one. Cancel stores nothing and, when a SoundFont was loaded (or is loading) in this
// dialog, restarts the output with the stored settings, so what plays is what was chosen
// before the dialog opened.
class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    static constexpr const char* kAutosaveKey = "autosaveSeconds"; // MainWindow's key

    explicit SettingsDialog(PlaybackController* controller, QWidget* parent = nullptr);

    // Checks a SoundFont and returns at once. A missing or broken file is refused here: false,
    // the reason shown, the previous choice kept. Otherwise true: without a controller the file
    // becomes the choice now; with one, the controller loads it (isLoadingSoundFont() until
    // its answer arrives) and it becomes the choice only if that succeeds, else the reason is
    // shown. One load at a time: false, and nothing changes, while one is under way.
    bool chooseSoundFont(const QString& path);
    QString soundFont() const { return m_soundFontPath; }
    QString soundFontError() const { return m_soundFontError; }
    bool isLoadingSoundFont() const { return !m_loadingSoundFont.isEmpty(); }

    QComboBox* driverBox() const { return m_driver; }
    QComboBox* midiOutBox() const { return m_midiOut; }
    QComboBox* midiInBox() const { return m_midiIn; }
    QCheckBox* midiClockBox() const { return m_midiClock; }
    QSpinBox* autosaveBox() const { return m_autosave; }
    QLabel* soundFontStatus() const { return m_soundFontStatus; }

    // Stores the choices in QSettings and applies them (accept() does this). A SoundFont still
    // loading is not a choice yet: the previous one is stored.
    void save();

    // Replaces the file dialog of the Choose button (tests).
    void setFileChooser(std::function<QString()> chooser) { m_chooser = std::move(chooser); }

public slots:
    void accept() override;
    void reject() override;

private:
    // The rows of the form, in order: SoundFont, audio driver and output, MIDI ports.
    void addSoundFontRows(QFormLayout* form);
    void addOutputRows(QFormLayout* form, PlaybackController* controller);
    void addMidiRows(QFormLayout* form);
    void browse();
    void showSoundFont();
    void soundFontChanged(const QString& path, const QString& error);
    void showLoading(bool loading);

    PlaybackController* m_controller;
    QString m_soundFontPath; // "" = automatic
    QString m_soundFontError;
    QString m_loadingSoundFont;      // the file the controller is loading; "" = none
    bool m_acceptWhenLoaded = false; // accept() came during the load
    bool m_loadedLive = false;       // a SoundFont was sent to the running synth
    QPushButton* m_choose = nullptr;
    QPushButton* m_automatic = nullptr;
    QPushButton* m_ok = nullptr;
    QLineEdit* m_soundFont = nullptr;
    QLabel* m_soundFontStatus = nullptr;
    QComboBox* m_driver = nullptr;
    QLabel* m_output = nullptr;
    QComboBox* m_midiOut = nullptr;
    QComboBox* m_midiIn = nullptr;
    QCheckBox* m_midiClock = nullptr;
    QSpinBox* m_autosave = nullptr;
    std::function<QString()> m_chooser;
};

} // namespace torchestra::ui

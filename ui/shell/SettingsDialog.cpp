#include "ui/shell/SettingsDialog.h"

#include "ui/playback/PlaybackController.h"
#include "ui/playback/SoundFontSetting.h"

#include "playback/LiveAudioOutput.h"
#include "playback/MidiPorts.h"
#include "playback/SoundFontLocator.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

#include <utility>

namespace torchestra::ui {

SettingsDialog::SettingsDialog(PlaybackController* controller, QWidget* parent)
    : QDialog(parent), m_controller(controller) {
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));
    auto* form = new QFormLayout;

    addSoundFontRows(form);
    addOutputRows(form, controller);
    addMidiRows(form);

    m_autosave = new QSpinBox(this);
    m_autosave->setObjectName(QStringLiteral("autosaveBox"));
    m_autosave->setRange(0, 3600);
    m_autosave->setSuffix(tr(" s"));
    m_autosave->setSpecialValueText(tr("Off"));
    m_autosave->setValue(QSettings().value(kAutosaveKey, 60).toInt());
    form->addRow(tr("Autosave every"), m_autosave);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
    setMinimumWidth(520);
    showSoundFont();
}

void SettingsDialog::addSoundFontRows(QFormLayout* form) {
    m_soundFontPath = storedSoundFont();
    m_soundFont = new QLineEdit(this);
    m_soundFont->setObjectName(QStringLiteral("soundFontEdit"));
    m_soundFont->setReadOnly(true);
    m_choose = new QPushButton(tr("Choose..."), this);
    m_choose->setObjectName(QStringLiteral("chooseSoundFont"));
    m_automatic = new QPushButton(tr("Automatic"), this);
    m_automatic->setObjectName(QStringLiteral("automaticSoundFont"));
    m_automatic->setToolTip(tr("Use the first General MIDI SoundFont found on this system"));
    auto* row = new QHBoxLayout;
    row->addWidget(m_soundFont, 1);
    row->addWidget(m_choose);
    row->addWidget(m_automatic);
    form->addRow(tr("SoundFont"), row);
    m_soundFontStatus = new QLabel(this);
    m_soundFontStatus->setObjectName(QStringLiteral("soundFontStatus"));
    m_soundFontStatus->setWordWrap(true);
    form->addRow(QString(), m_soundFontStatus);
    connect(m_choose, &QPushButton::clicked, this, &SettingsDialog::browse);
    connect(m_automatic, &QPushButton::clicked, this, [this] {
        m_soundFontPath.clear();
        m_soundFontError.clear();
        showSoundFont();
    });
}

void SettingsDialog::addOutputRows(QFormLayout* form, PlaybackController* controller) {
    m_driver = new QComboBox(this);
    m_driver->setObjectName(QStringLiteral("audioDriverBox"));
    m_driver->addItem(tr("Automatic"), QString());
    for (const std::string& d : playback::LiveAudioOutput::availableDrivers())
        m_driver->addItem(QString::fromStdString(d), QString::fromStdString(d));
    m_driver->setCurrentIndex(
        std::max(0, m_driver->findData(QSettings().value(settings::kAudioDriver).toString())));
    form->addRow(tr("Audio driver"), m_driver);
    m_output = new QLabel(this);
    m_output->setObjectName(QStringLiteral("outputStatus"));
    m_output->setWordWrap(true);
    m_output->setText(tr("Now: %1").arg(controller ? controller->outputDescription() : QString()));
    form->addRow(QString(), m_output);
    if (controller) {
        connect(controller, &PlaybackController::outputChanged, this,
                [this](const QString& d) { m_output->setText(tr("Now: %1").arg(d)); });
        connect(controller, &PlaybackController::soundFontChanged, this,
                &SettingsDialog::soundFontChanged);
    }
}

void SettingsDialog::addMidiRows(QFormLayout* form) {
    QSettings s;
    std::vector<std::string> notes;
    const auto ports = playback::listMidiPorts(&notes);
    m_midiOut = new QComboBox(this);
    m_midiOut->setObjectName(QStringLiteral("midiOutBox"));
    m_midiOut->addItem(tr("Built-in synthesizer"), QString());
    m_midiOut->addItem(tr("Virtual port \u201c%1\u201d (a DAW connects to it and records)")
                           .arg(QString::fromLatin1(settings::kVirtualPortName)),
                       QString::fromLatin1(settings::kVirtualMidiOut));
    m_midiIn = new QComboBox(this);
    m_midiIn->setObjectName(QStringLiteral("midiInBox"));
    m_midiIn->addItem(tr("None"), QString());
    for (const auto& p : ports) {
        const QString name = QString::fromStdString(p.name);
        const QString label = QStringLiteral("%1 (%2)").arg(name, QString::fromStdString(p.api));
        (p.isInput ? m_midiIn : m_midiOut)->addItem(label, name);
    }
    // A remembered port that is not there now stays selectable (it may come back).
    for (auto [box, key] :
         {std::pair{m_midiOut, settings::kMidiOut}, std::pair{m_midiIn, settings::kMidiIn}}) {
        const QString want = s.value(key).toString();
        int index = box->findData(want);
        if (index < 0) {
            box->addItem(tr("%1 (not connected)").arg(want), want);
            index = box->count() - 1;
        }
        box->setCurrentIndex(index);
    }
    form->addRow(tr("MIDI output"), m_midiOut);
    // Clock goes to a MIDI port only: the built-in synth has no use for it.
    m_midiClock = new QCheckBox(tr("Send MIDI clock (tempo, start, stop, song position)"), this);
    m_midiClock->setObjectName(QStringLiteral("midiClockBox"));
    m_midiClock->setToolTip(tr("A DAW or drum machine on the MIDI output follows Torchestra's "
                               "tempo and transport while it plays"));
    m_midiClock->setChecked(s.value(settings::kMidiClockOut, false).toBool());
    auto portChosen = [this] {
        m_midiClock->setEnabled(!m_midiOut->currentData().toString().isEmpty());
    };
    portChosen();
    connect(m_midiOut, &QComboBox::currentIndexChanged, this, portChosen);
    form->addRow(QString(), m_midiClock);
    form->addRow(tr("MIDI input"), m_midiIn);
    if (!notes.empty()) {
        QStringList lines;
        for (const auto& n : notes)
            lines << QString::fromStdString(n);
        auto* portNotes = new QLabel(lines.join(QLatin1Char('\n')), this);
        portNotes->setObjectName(QStringLiteral("portNotes"));
        portNotes->setWordWrap(true);
        form->addRow(QString(), portNotes);
    }
}

void SettingsDialog::showSoundFont() {
    if (m_soundFontPath.isEmpty()) {
        playback::SoundFontLocator locator;
        std::string error;
        const QString found = QString::fromStdString(locator.locate(error));
        m_soundFont->setText(tr("Automatic"));
        if (m_soundFontError.isEmpty())
            m_soundFontStatus->setText(found.isEmpty() ? QString::fromStdString(error)
                                                       : tr("Found %1").arg(found));
    } else {
        m_soundFont->setText(m_soundFontPath);
        if (m_soundFontError.isEmpty())
            m_soundFontStatus->setText(tr("Chosen"));
    }
    if (!m_soundFontError.isEmpty())
        m_soundFontStatus->setText(
            tr("<b>Could not use that SoundFont:</b> %1. The previous one stays.")
                .arg(m_soundFontError.toHtmlEscaped()));
}

bool SettingsDialog::chooseSoundFont(const QString& path) {
    if (isLoadingSoundFont())
        return false;
    // The cheap check first: a missing or broken file is refused at once, without a load.
    const QString error = QString::fromStdString(playback::checkSoundFontFile(path.toStdString()));
    if (!error.isEmpty()) {
        m_soundFontError = error;
        showSoundFont();
        return false;
    }
    const QString absolute = QFileInfo(path).absoluteFilePath();
    if (!m_controller) {
        m_soundFontError.clear();
        m_soundFontPath = absolute;
        showSoundFont();
        return true;
    }
    m_loadingSoundFont = absolute;
    m_loadedLive = true;
    showLoading(true);
    m_controller->requestSoundFont(absolute);
    return true;
}

void SettingsDialog::soundFontChanged(const QString& path, const QString& error) {
    if (m_loadingSoundFont.isEmpty() || path != m_loadingSoundFont)
        return; // not this dialog's request
    m_loadingSoundFont.clear();
    showLoading(false);
    m_soundFontError = error;
    if (error.isEmpty())
        m_soundFontPath = path;
    showSoundFont();
    if (std::exchange(m_acceptWhenLoaded, false))
        accept();
}

void SettingsDialog::showLoading(bool loading) {
    m_choose->setEnabled(!loading);
    m_automatic->setEnabled(!loading);
    m_ok->setEnabled(!loading);
    if (loading)
        m_soundFontStatus->setText(
            tr("Loading %1\u2026").arg(QFileInfo(m_loadingSoundFont).fileName()));
}

void SettingsDialog::browse() {
    const QString start =
        m_soundFontPath.isEmpty() ? QStringLiteral("/usr/share/sounds/sf2") : m_soundFontPath;
    const QString path =
        m_chooser ? m_chooser()
                  : QFileDialog::getOpenFileName(this, tr("Choose a SoundFont"), start,
                                                 tr("SoundFonts (*.sf2 *.sf3);;All files (*)"));
    if (!path.isEmpty())
        chooseSoundFont(path);
}

void SettingsDialog::save() {
    QSettings s;
    const bool soundFontChanged = storedSoundFont() != m_soundFontPath;
    const bool outputChanged =
        soundFontChanged ||
        s.value(settings::kAudioDriver).toString() != m_driver->currentData().toString() ||
        s.value(settings::kMidiOut).toString() != m_midiOut->currentData().toString() ||
        s.value(settings::kMidiIn).toString() != m_midiIn->currentData().toString() ||
        s.value(settings::kMidiClockOut, false).toBool() != m_midiClock->isChecked();
    if (soundFontChanged)
        if (const QString error = storeSoundFont(m_soundFontPath); !error.isEmpty())
            QMessageBox::warning(this, tr("SoundFont"),
                                 tr("The SoundFont choice could not be saved: %1").arg(error));
    s.setValue(settings::kAudioDriver, m_driver->currentData().toString());
    s.setValue(settings::kMidiOut, m_midiOut->currentData().toString());
    s.setValue(settings::kMidiIn, m_midiIn->currentData().toString());
    s.setValue(settings::kMidiClockOut, m_midiClock->isChecked());
    s.setValue(kAutosaveKey, m_autosave->value());
    if (outputChanged && m_controller)
        m_controller->applySettings();
}

void SettingsDialog::accept() {
    // OK is disabled during a load, but Enter or a program may still accept: the outcome
    // decides what is stored (see the class comment), so the accept waits for it here, in the
    // event loop, and soundFontChanged() finishes it.
    if (isLoadingSoundFont()) {
        m_acceptWhenLoaded = true;
        return;
    }
    save();
    QDialog::accept();
}

void SettingsDialog::reject() {
    m_acceptWhenLoaded = false; // Cancel wins over an accept still waiting for a load
    // The synth may play (or be loading) a SoundFont this dialog chose: back to the stored one.
    // The restart drops a load still in flight.
    if (m_controller && std::exchange(m_loadedLive, false))
        m_controller->applySettings();
    QDialog::reject();
}

} // namespace torchestra::ui

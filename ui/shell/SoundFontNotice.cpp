#include "ui/shell/SoundFontNotice.h"

#include "playback/SoundFontLocator.h"

#include <QCoreApplication>
#include <QMessageBox>
#include <QPushButton>

namespace torchestra::ui {

QMessageBox* showSoundFontNoticeIfMissing(QWidget* parent,
                                          const playback::SoundFontLocator& locator,
                                          std::function<void()> choose) {
    std::string error;
    if (!locator.locate(error).empty())
        return nullptr;
    const std::vector<std::string> folders = locator.folders();
    const QString folder =
        folders.empty() ? QString() : QString::fromStdString(folders.front()).toHtmlEscaped();
    auto* box = new QMessageBox(QMessageBox::Information, QObject::tr("No SoundFont"),
                                QObject::tr("<b>No General MIDI SoundFont was found</b>, so "
                                            "playback is silent. Editing, training, generating, "
                                            "MIDI ports and export all work."),
                                QMessageBox::NoButton, parent);
    box->setObjectName(QStringLiteral("soundFontNotice"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(QObject::tr("Choose a SoundFont file (.sf2 or .sf3), install Debian's "
                                        "<i>timgm6mb-soundfont</i> or <i>fluid-soundfont-gm</i>%1.")
                                .arg(folder.isEmpty()
                                         ? QString()
                                         : QObject::tr(", or put one in %1").arg(folder + '/')));
    box->setDetailedText(QString::fromStdString(error)); // every place looked in
    QPushButton* chooseButton =
        box->addButton(QObject::tr("Choose SoundFont\u2026"), QMessageBox::AcceptRole);
    chooseButton->setObjectName(QStringLiteral("chooseSoundFont"));
    box->addButton(QObject::tr("Not Now"), QMessageBox::RejectRole);
    box->setDefaultButton(chooseButton);
    // After the box has closed: Preferences is a dialog of its own.
    QObject* context = parent ? static_cast<QObject*>(parent) : qApp;
    QObject::connect(box, &QMessageBox::buttonClicked, context,
                     [context, chooseButton, choose = std::move(choose)](QAbstractButton* clicked) {
                         if (clicked == chooseButton && choose)
                             QMetaObject::invokeMethod(context, choose, Qt::QueuedConnection);
                     });
    box->open();
    return box;
}

} // namespace torchestra::ui

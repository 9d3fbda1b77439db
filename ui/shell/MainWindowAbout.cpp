// MainWindow's Help > About box: what the program is, its version and its licence (the full
// text a click away, from the copy compiled in). Kept apart from MainWindow.cpp like the menus.
#include "ui/common/Icons.h"
#include "ui/shell/MainWindow.h"

#include <QFile>
#include <QMessageBox>

namespace torchestra::ui {

void MainWindow::showAbout() {
    if (auto* shown = findChild<QMessageBox*>(QStringLiteral("aboutBox"))) {
        shown->raise();
        return;
    }
    loadResources();
    QFile licence(QStringLiteral(":/LICENSE"));
    const bool haveLicence = licence.open(QIODevice::ReadOnly);
    auto* box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About Torchestra"));
    box->setIconPixmap(icons::application().pixmap(64, 64));
    box->setTextFormat(Qt::RichText);
    box->setText(
        tr("<h3>Torchestra %1</h3>"
           "<p>A music composition workstation: MIDI files, a piano roll, playback, and models "
           "that learn from your music.</p>"
           "<p>Torchestra is free software: you can redistribute it and/or modify it under the "
           "terms of the <b>GNU General Public License, version 3</b> or (at your option) any "
           "later version. It comes with no warranty.</p>"
           "<p>Built with Qt %2, LibTorch, FluidSynth and RtMidi.</p>")
            .arg(QStringLiteral(TORCHESTRA_VERSION), QString::fromLatin1(qVersion())));
    // The whole licence behind "Show Details...": the box stays small.
    if (haveLicence)
        box->setDetailedText(QString::fromUtf8(licence.readAll()));
    box->setStandardButtons(QMessageBox::Close);
    box->open();
}

} // namespace torchestra::ui

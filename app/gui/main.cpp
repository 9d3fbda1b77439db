// The Torchestra workstation: `torchestra [file.mid]`.
//
// Hidden options for scripts/screenshot (not for users, so not in --help):
//   --screenshot OUT.png   grab the main window into OUT.png and quit
//   --after-ms N           wait N ms after the file loads (or after start) before the grab
//   --size WxH             window size, e.g. 1440x900
//   --select-track N       select track row N (0-based) in the track list before the grab
#include "ui/MainWindow.h"
#include "ui/Theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QSettings>
#include <QTimer>
#include <QTreeView>

#include <cstdio>

using namespace torchestra;

namespace {

// Saves a picture of the window and quits: the reliable way to screenshot under Xvfb, where
// a desktop screenshot tool would also need a window manager.
void grabAndQuit(ui::MainWindow& window, const QString& out) {
    QDir().mkpath(QFileInfo(out).absolutePath());
    const bool saved = window.grab().save(out);
    std::fprintf(stderr, saved ? "torchestra: saved %s\n" : "torchestra: could not save %s\n",
                 qPrintable(out));
    QCoreApplication::exit(saved ? 0 : 1);
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Torchestra"));
    QApplication::setOrganizationName(QStringLiteral("Torchestra"));
    QApplication::setApplicationVersion(QStringLiteral(TORCHESTRA_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Torchestra music composition workstation"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("A MIDI file to open."),
                                 QStringLiteral("[file]"));
    QCommandLineOption themeOption(QStringLiteral("theme"),
                                   QStringLiteral("Colour theme: dark (default) or light."),
                                   QStringLiteral("name"));
    QCommandLineOption screenshotOption(QStringLiteral("screenshot"), QString(),
                                        QStringLiteral("png"));
    QCommandLineOption afterOption(QStringLiteral("after-ms"), QString(), QStringLiteral("ms"),
                                   QStringLiteral("1500"));
    QCommandLineOption sizeOption(QStringLiteral("size"), QString(), QStringLiteral("WxH"));
    QCommandLineOption selectOption(QStringLiteral("select-track"), QString(),
                                    QStringLiteral("row"));
    for (QCommandLineOption* hidden : {&screenshotOption, &afterOption, &sizeOption, &selectOption})
        hidden->setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({themeOption, screenshotOption, afterOption, sizeOption, selectOption});
    parser.process(app);

    const QString themeName = parser.isSet(themeOption)
                                  ? parser.value(themeOption)
                                  : QSettings().value(QStringLiteral("theme")).toString();
    ui::theme::apply(app, ui::theme::fromName(themeName));
    QApplication::setWindowIcon(ui::theme::appIcon());

    ui::MainWindow window;
    if (parser.isSet(sizeOption)) {
        const QStringList parts = parser.value(sizeOption).split(QLatin1Char('x'));
        if (parts.size() == 2)
            window.resize(parts[0].toInt(), parts[1].toInt());
    }
    window.show();

    const QString file = parser.positionalArguments().value(0);
    if (!file.isEmpty())
        window.openFile(file);

    if (parser.isSet(screenshotOption)) {
        const QString out = parser.value(screenshotOption);
        const int afterMs = parser.value(afterOption).toInt();
        const int selectRow = parser.isSet(selectOption) ? parser.value(selectOption).toInt() : -1;
        auto grabLater = [&window, out, afterMs, selectRow] {
            if (selectRow >= 0) {
                QTreeView* view = window.trackView();
                view->selectionModel()->select(view->model()->index(selectRow, 0),
                                               QItemSelectionModel::ClearAndSelect |
                                                   QItemSelectionModel::Rows);
            }
            QTimer::singleShot(afterMs, &window, [&window, out] { grabAndQuit(window, out); });
        };
        if (file.isEmpty()) {
            grabLater();
        } else {
            // Grab after the load, whichever way it ends (an error box is worth a picture too).
            QObject::connect(&window, &ui::MainWindow::fileLoaded, &window, grabLater);
            QObject::connect(&window, &ui::MainWindow::loadFailed, &window, grabLater);
        }
    }
    return QApplication::exec();
}

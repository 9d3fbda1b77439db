// The Torchestra workstation: `torchestra [file.mid]`.
//
// Without --screenshot (see ScreenshotStaging.h for it and its companions, which
// scripts/screenshot uses), recovery files left by a crashed session are offered at start;
// without a file (and nothing recovered) the window starts with a new song.
#include "ScreenshotStaging.h"

#include "ml/neural/NeuralKinds.h"
#include "ui/common/Theme.h"
#include "ui/shell/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

using namespace torchestra;

int main(int argc, char** argv) {
    torchestra::ml::neural::registerNeuralKinds();
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
    parser.addOption(themeOption);
    app::ScreenshotStaging screenshot(parser);
    parser.process(app);

    const QString themeName = parser.isSet(themeOption)
                                  ? parser.value(themeOption)
                                  : QSettings().value(QStringLiteral("theme")).toString();
    ui::theme::apply(app, ui::theme::fromName(themeName));
    QApplication::setWindowIcon(ui::theme::appIcon());

    ui::MainWindow window;
    screenshot.prepare(window);
    window.show();

    const QString file = parser.positionalArguments().value(0);
    // Runs on a worker; a recovered song the user takes back later replaces what opens here.
    if (!screenshot.isRequested())
        window.checkForRecovery();
    if (!file.isEmpty())
        window.openFile(file);
    else if (!window.isModified())
        window.newProject(); // an empty track, ready to draw in
    if (screenshot.isRequested())
        screenshot.stage(window, file);
    return QApplication::exec();
}

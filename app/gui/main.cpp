// The Torchestra workstation: `torchestra [file.mid]`.
//
// Without --screenshot (see ScreenshotStaging.h for it and its companions, which
// scripts/screenshot uses), recovery files left by a crashed session are offered at start;
// without a file (and nothing recovered) the window starts with a new song.
#include "ScreenshotStaging.h"

#include "ml/neural/NeuralKinds.h"
#include "playback/SoundFontLocator.h"
#include "ui/common/Icons.h"
#include "ui/common/Theme.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/SoundFontNotice.h"

#include <QAction>
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
    // Ties the windows to the installed desktop entry (its icon and name on Wayland).
    QGuiApplication::setDesktopFileName(QStringLiteral("torchestra"));

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
    QApplication::setWindowIcon(ui::icons::application());

    ui::MainWindow window;
    screenshot.prepare(window);
    window.show();

    const QString file = parser.positionalArguments().value(0);
    // Runs on a worker; a recovered song the user takes back later replaces what opens here.
    if (!screenshot.isRequested())
        window.checkForRecovery();
    // No SoundFont anywhere: the window says so once and offers Preferences to choose one.
    if (!screenshot.isRequested())
        ui::showSoundFontNoticeIfMissing(&window, playback::SoundFontLocator(), [&window] {
            if (QAction* preferences = window.action(QStringLiteral("preferences")))
                preferences->trigger();
        });
    if (!file.isEmpty())
        window.openFile(file);
    else if (!window.isModified())
        window.newProject(); // an empty track, ready to draw in
    if (screenshot.isRequested())
        screenshot.stage(window, file);
    return QApplication::exec();
}

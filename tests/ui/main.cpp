// GoogleTest main for the GUI tests: widgets need a QApplication, and tests must neither read
// nor write the user's settings (recent files, window state, theme) or recovery files.
#include "ui/common/Theme.h"
#include "ui/shell/MainWindow.h"

#include <QApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
    // Runs headless even when started by hand or by test discovery, not only under CTest.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir settingsDir;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
    // Autosave recovery files too: CTest runs test processes side by side.
    QTemporaryDir recoveryDir;
    // The SoundFont choice the GUI shares with the CLI (playback::SoundFontLocator) as well.
    QTemporaryDir configDir;
    qputenv("TORCHESTRA_CONFIG_DIR", configDir.path().toUtf8());
    // And the user's own models (base::userModelsDir(), the model library's folder).
    QTemporaryDir dataDir;
    qputenv("XDG_DATA_HOME", dataDir.path().toUtf8());
    torchestra::ui::MainWindow::setRecoveryDirectory(recoveryDir.filePath("recovery"));

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("TorchestraTests"));
    QApplication::setApplicationName(QStringLiteral("ui_tests"));
    torchestra::ui::theme::apply(app, torchestra::ui::ThemeKind::Dark);

    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

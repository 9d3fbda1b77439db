// The model library's one line about a model: the kind and size as ml::describeModel() words
// them, the files, the tracks (once), the best loss; and the same in its list and tooltip. The
// built-in models: listed after the user's own, labelled, never deleted or overwritten.
#include "ui/panels/ModelLibrary.h"

#include "ml/BuiltinModels.h"
#include "ml/Checkpoint.h"
#include "ml/MarkovModel.h"
#include "ml/ModelRegistry.h"

#include "common/GanChoices.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <memory>

namespace torchestra::ui::test {
namespace {

// Only its configuration is read: describe() needs no weights.
class ConfigOnlyModel : public ml::SequenceModel {
public:
    explicit ConfigOnlyModel(ml::ModelConfig config) : m_config(std::move(config)) {}
    const ml::ModelConfig& config() const override { return m_config; }
    std::string serialize() const override { return {}; }
    ml::NllResult evaluate(const ml::FrameSequence&) const override { return {}; }
    std::vector<ml::FrameSequence> sample(const ml::SampleRequest&,
                                          const std::atomic<bool>*) const override {
        return {};
    }

private:
    ml::ModelConfig m_config;
};

ml::TrainingMetadata metadata() {
    ml::TrainingMetadata meta;
    meta.files.resize(3);
    meta.trackIndices = {1, 3};
    meta.bestValidLoss = 1.25;
    meta.bestEpoch = 4;
    return meta;
}

TEST(ModelLibraryTest, DescribeNamesTheTracksOnce) {
    ml::ModelConfig config; // an LSTM, 2 layers of 256
    ModelLibrary::Entry entry;
    entry.model = std::make_shared<ConfigOnlyModel>(config);
    entry.metadata = metadata();
    const QString text = ModelLibrary::describe(entry);
    EXPECT_EQ(text.count(QStringLiteral("track(s)")), 1) << text.toStdString();
    EXPECT_EQ(text, QStringLiteral("%1, 3 file(s), track(s) 1, 3, best 1.250 nats/step (epoch 4)")
                        .arg(QString::fromStdString(ml::describeModel(config))))
        << text.toStdString();
    EXPECT_TRUE(text.startsWith(QStringLiteral("LSTM 2x256"))) << text.toStdString();

    entry.metadata.trackIndices.clear(); // every track but drums: nothing said
    EXPECT_FALSE(ModelLibrary::describe(entry).contains(QStringLiteral("track")));
}

// A GAN says how its harmony moves and its cap and floor on notes at once, as it chose on its
// validation files, and nothing of a temperature or a rhythm it did not choose.
TEST(ModelLibraryTest, DescribeSaysHowAGansHarmonyMoves) {
    ml::ModelConfig config;
    config.kind = ml::ModelKind::Gan;
    ModelLibrary::Entry entry;
    entry.model = std::make_shared<ConfigOnlyModel>(config);
    entry.metadata = metadata();
    entry.metadata.sampling.closeness = 0.8;
    entry.metadata.sampling.rhythm = {};
    entry.metadata.sampling.tried = {{1.0, 0.77}};
    entry.metadata.sampling.triedProgressions = {{1.0, 0.8}};
    entry.metadata.sampling.harmonyProgressions = true;
    QString text = ModelLibrary::describe(entry);
    EXPECT_TRUE(text.endsWith(
        QStringLiteral(", harmony along the training music's progressions, chosen on validation")))
        << text.toStdString();
    EXPECT_FALSE(text.contains(QStringLiteral("temperature"))) << text.toStdString();
    entry.metadata.sampling.harmonyProgressions = false;
    text = ModelLibrary::describe(entry);
    EXPECT_TRUE(text.endsWith(QStringLiteral(", harmony matched to each bar written, chosen on "
                                             "validation")))
        << text.toStdString();
    // With the cap on notes at once it chose.
    entry.metadata.sampling.triedPolyphony = {{5, 0.82}, {7, 0.81}};
    entry.metadata.sampling.maxPolyphony = 5;
    text = ModelLibrary::describe(entry);
    EXPECT_TRUE(text.endsWith(QStringLiteral(", harmony matched to each bar written and at most "
                                             "5 notes at once, chosen on validation")))
        << text.toStdString();
    // And the floor it chose.
    entry.metadata.sampling.triedFloor = {{2, 0.85}, {3, 0.84}};
    entry.metadata.sampling.minPolyphony = 2;
    text = ModelLibrary::describe(entry);
    EXPECT_TRUE(text.endsWith(QStringLiteral(", harmony matched to each bar written and 2 to 5 "
                                             "notes at once, chosen on validation")))
        << text.toStdString();
    entry.metadata.sampling.maxPolyphony = 0;
    text = ModelLibrary::describe(entry);
    EXPECT_TRUE(
        text.endsWith(QStringLiteral(" and at least 2 notes at once, chosen on validation")))
        << text.toStdString();
}

TEST(ModelLibraryTest, ListsALoadedCheckpointWithTheRegistryDescription) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    ml::ModelConfig config;
    config.kind = ml::ModelKind::Markov;
    config.markovOrder = 2;
    const ml::MarkovModel model(config);
    const QString path = dir.filePath(QStringLiteral("markov.tcm"));
    ASSERT_EQ(ml::saveCheckpoint(QFile::encodeName(path).toStdString(), model, metadata()), "");

    ModelLibrary library;
    library.setDirectory(dir.filePath(QStringLiteral("models")));
    QSignalSpy added(&library, &ModelLibrary::modelAdded);
    library.load(path);
    ASSERT_TRUE(added.wait(10000));
    ASSERT_EQ(library.count(), 1);
    EXPECT_EQ(library.index(0, ModelLibrary::KindColumn).data().toString(),
              QStringLiteral("MARKOV order 2"));
    const QString tip = library.index(0, ModelLibrary::NameColumn).data(Qt::ToolTipRole).toString();
    EXPECT_TRUE(tip.startsWith(QStringLiteral("MARKOV order 2, 3 file(s), track(s) 1, 3, best")))
        << tip.toStdString();
    EXPECT_EQ(tip.count(QStringLiteral("track(s)")), 1) << tip.toStdString();
}

// The tooltip lists each sampling choice the model made, one a line, with what it read.
TEST(ModelLibraryTest, TheTooltipListsEverySamplingChoice) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    ml::ModelConfig config;
    config.kind = ml::ModelKind::Markov;
    const ml::MarkovModel model(config);
    ml::TrainingMetadata meta = metadata();
    meta.sampling = ::torchestra::test::ganChoicesExample();
    const QString path = dir.filePath(QStringLiteral("chosen.tcm"));
    ASSERT_EQ(ml::saveCheckpoint(QFile::encodeName(path).toStdString(), model, meta), "");
    ModelLibrary library;
    library.setDirectory(dir.filePath(QStringLiteral("models")));
    QSignalSpy added(&library, &ModelLibrary::modelAdded);
    library.load(path);
    ASSERT_TRUE(added.wait(10000));
    const QStringList lines = library.index(0, ModelLibrary::NameColumn)
                                  .data(Qt::ToolTipRole)
                                  .toString()
                                  .split(QLatin1Char('\n'));
    const QString heading = QStringLiteral("Sampling, as it chose on its validation music:");
    ASSERT_TRUE(lines.contains(heading)) << lines.join(QLatin1Char('\n')).toStdString();
    const QStringList expected{
        QStringLiteral("  at most 2 notes at once (closeness without a cap 0.800, 2: 0.820, 4: "
                       "0.810)"),
        QStringLiteral("  notes held at odds 3 (closeness at the decoding's own 0.820, 5: 0.830, "
                       "3: 0.840, 2: 0.835)"),
        QStringLiteral("  notes of at least 2 steps (closeness at any length 0.840, 2: 0.842, 3: "
                       "0.810)")};
    const qsizetype at = lines.indexOf(heading);
    EXPECT_TRUE(lines.at(at + 1).startsWith(QStringLiteral("  harmony along the training ")))
        << lines.at(at + 1).toStdString();
    EXPECT_EQ(lines.mid(at + 2, 3), expected) << lines.join(QLatin1Char('\n')).toStdString();
    EXPECT_EQ(lines.size(), at + 1 + 7 + 3) << "seven choices, then the three files";
}

// A refresh reads the folder on a worker and then loads the built-ins (a few hundred ms); a
// model trained and saved meanwhile is not in its listing and must not vanish when the refresh
// lands (the Generate panel then showed a built-in as the chosen model).
TEST(ModelLibraryTest, AModelSavedDuringARefreshStaysListed) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    ModelLibrary library;
    library.setDirectory(dir.filePath(QStringLiteral("models")));
    QSignalSpy refreshed(&library, &ModelLibrary::refreshed);
    QSignalSpy added(&library, &ModelLibrary::modelAdded);
    library.refresh();
    ml::ModelConfig config;
    config.kind = ml::ModelKind::Markov;
    library.addTrained(std::make_shared<ml::MarkovModel>(config), metadata(),
                       QStringLiteral("just-trained"));
    ASSERT_TRUE(refreshed.count() > 0 || refreshed.wait(20000));
    ASSERT_TRUE(added.count() > 0 || added.wait(20000));
    const QString path = dir.filePath(QStringLiteral("models/just-trained.tcm"));
    EXPECT_GE(library.rowOf(QFileInfo(path).absoluteFilePath()), 0);
    // And once: a later refresh lists it from the folder, not twice.
    library.refresh();
    ASSERT_TRUE(refreshed.wait(20000));
    int rows = 0;
    for (int row = 0; row < library.count(); ++row)
        rows += library.entry(row).path == QFileInfo(path).absoluteFilePath();
    EXPECT_EQ(rows, 1);
}

QByteArray fileHash(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

TEST(ModelLibraryTest, BuiltInsAreListedLabelledAndNeverDeletedOrOverwritten) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    ml::ModelConfig config;
    config.kind = ml::ModelKind::Markov;
    const QString own = dir.filePath(QStringLiteral("models/mine.tcm"));
    ASSERT_TRUE(QDir().mkpath(dir.filePath(QStringLiteral("models"))));
    ASSERT_EQ(ml::saveCheckpoint(QFile::encodeName(own).toStdString(), ml::MarkovModel(config),
                                 metadata()),
              "");

    ModelLibrary library;
    library.setDirectory(dir.filePath(QStringLiteral("models")));
    QSignalSpy refreshed(&library, &ModelLibrary::refreshed);
    QSignalSpy failed(&library, &ModelLibrary::failed);
    library.refresh();
    ASSERT_TRUE(refreshed.wait(20000));
    EXPECT_EQ(failed.count(), 0) << failed.value(0).value(0).toString().toStdString();
    // The user's model first, then the built-ins in their order, by their labels.
    ASSERT_EQ(library.count(), 4);
    EXPECT_EQ(library.entry(0).path, QFileInfo(own).absoluteFilePath());
    EXPECT_FALSE(library.entry(0).isBuiltin());
    EXPECT_EQ(library.reference(0), QFileInfo(own).absoluteFilePath());
    const QString labels[] = {QStringLiteral("Bach chorales \u2014 LSTM-NADE (built in)"),
                              QStringLiteral("Bach chorales \u2014 GAN (built in)"),
                              QStringLiteral("Bach chorales \u2014 Markov (built in)")};
    const char* names[] = {"bach-nade", "bach-gan", "bach-markov"};
    for (int i = 0; i < 3; ++i) {
        const int row = i + 1;
        EXPECT_TRUE(library.entry(row).isBuiltin());
        EXPECT_EQ(library.index(row, ModelLibrary::NameColumn).data().toString(), labels[i]);
        const QString reference = QStringLiteral("builtin:") + QLatin1String(names[i]);
        EXPECT_EQ(library.reference(row), reference);
        EXPECT_EQ(library.rowOf(reference), row);
        EXPECT_TRUE(ModelLibrary::describe(library.entry(row))
                        .contains(QStringLiteral("built in, learned from the JSB Chorales")));
    }
    const int nade = library.rowOf(QStringLiteral("builtin:bach-nade"));
    const QString nadeFile = library.entry(nade).path;
    const QByteArray before = fileHash(nadeFile);
    ASSERT_FALSE(before.isEmpty());

    // Delete: refused, the row and the file stay.
    EXPECT_FALSE(library.remove(nade));
    ASSERT_EQ(failed.count(), 1);
    EXPECT_TRUE(failed.takeFirst().value(0).toString().contains(
        QStringLiteral("comes with the program: it cannot be deleted")));
    EXPECT_EQ(library.count(), 4);
    // Overwrite: another model saved over its file, through the link of the build tree or
    // the file itself, is refused and the bytes stay.
    for (const QString& target : {nadeFile, QFileInfo(nadeFile).canonicalFilePath()}) {
        library.saveCopy(0, target);
        ASSERT_EQ(failed.count(), 1) << target.toStdString();
        EXPECT_TRUE(failed.takeFirst().value(0).toString().contains(
            QStringLiteral("cannot be overwritten")));
    }
    EXPECT_EQ(fileHash(nadeFile), before);
    // Loading its file again finds the built-in's row rather than adding a deletable copy.
    QSignalSpy added(&library, &ModelLibrary::modelAdded);
    library.load(QFileInfo(nadeFile).canonicalFilePath());
    ASSERT_EQ(added.count(), 1);
    EXPECT_EQ(library.rowOf(added.value(0).value(0).toString()), nade);
    EXPECT_EQ(library.count(), 4);
    // The user's own model is still theirs to delete.
    EXPECT_TRUE(library.remove(0));
    EXPECT_FALSE(QFileInfo::exists(own));
}

} // namespace
} // namespace torchestra::ui::test

// The model library's one line about a model: the kind and size as ml::describeModel() words
// them, the files, the tracks (once), the best loss; and the same in its list and tooltip.
#include "ui/panels/ModelLibrary.h"

#include "ml/Checkpoint.h"
#include "ml/MarkovModel.h"
#include "ml/ModelRegistry.h"

#include <QFile>
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

} // namespace
} // namespace torchestra::ui::test

// Takes kept in the project file (project/Takes.h): their notes and provenance round trip,
// names, the version they are written with (a project without takes stays readable by the
// previous version; one with takes is refused by it as newer rather than losing them), and
// damaged takes named with their place.

#include "DemoSong.h"
#include "TestFiles.h"

#include "project/ProjectFile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace torchestra;
using namespace torchestra::ui::test;

namespace {

project::Take sampleTake(const QString& name, std::uint64_t seed) {
    project::Take t;
    t.name = name;
    t.notes = {makeNote(1920, 240, 64, 90, 2), makeNote(2160, 480, 67, 70, 2)};
    project::TakeProvenance& p = t.provenance;
    p.model = QStringLiteral("lstm-chorales");
    p.modelPath = QStringLiteral("/models/lstm-chorales.tcm");
    p.checkpointHash = QStringLiteral("0123456789abcdef");
    p.seed = seed;
    p.variations = 4;
    p.variation = 2;
    p.temperature = 0.85;
    p.constraints = QJsonObject{{"tonic", 2}, {"scale", "minor"}, {"low", 48}, {"high", 84}};
    p.primerFrom = 0;
    p.from = 1920;
    p.to = 3840;
    p.track = 1;
    p.regenerated = true;
    p.time = QDateTime(QDate(2026, 12, 4), QTime(14, 30, 5, 250), Qt::UTC);
    return t;
}

bool sameTake(const project::Take& a, const project::Take& b) {
    const project::TakeProvenance &p = a.provenance, &q = b.provenance;
    if (a.notes.size() != b.notes.size())
        return false;
    for (std::size_t i = 0; i < a.notes.size(); ++i)
        if (!model::sameContent(a.notes[i], b.notes[i]))
            return false;
    return a.name == b.name && p.model == q.model && p.modelPath == q.modelPath &&
           p.checkpointHash == q.checkpointHash && p.seed == q.seed &&
           p.variations == q.variations && p.variation == q.variation &&
           p.temperature == q.temperature && p.constraints == q.constraints &&
           p.primerFrom == q.primerFrom && p.from == q.from && p.to == q.to && p.track == q.track &&
           p.regenerated == q.regenerated && p.time == q.time;
}

} // namespace

TEST(ProjectTakes, NotesAndProvenanceRoundTripThroughAFile) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    project::Project project;
    project.song = makeSmallSong();
    // The largest seed a JSON number holds exactly.
    project.takes = {sampleTake("A", 7), sampleTake("B", (std::uint64_t(1) << 53) - 1)};
    const QString path = dir.filePath("takes.torchestra");
    ASSERT_EQ(project::ProjectFile::write(path, project), "");
    project::Project back;
    ASSERT_EQ(project::ProjectFile::read(path, back).toStdString(), "");
    ASSERT_EQ(back.takes.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i)
        EXPECT_TRUE(sameTake(back.takes[i], project.takes[i])) << i;
}

TEST(ProjectTakes, NamesRunAToZThenAAAndAreNotReusedWhileHeld) {
    EXPECT_EQ(project::takeName(0), "A");
    EXPECT_EQ(project::takeName(25), "Z");
    EXPECT_EQ(project::takeName(26), "AA");
    EXPECT_EQ(project::takeName(27), "AB");
    EXPECT_EQ(project::takeName(26 + 26 * 26), "AAA");
    std::vector<project::Take> takes;
    EXPECT_EQ(project::nextTakeName(takes), "A");
    takes = {sampleTake("C", 1), sampleTake("A", 1)};
    EXPECT_EQ(project::nextTakeName(takes), "D");
    takes = {sampleTake("Z", 1)};
    EXPECT_EQ(project::nextTakeName(takes), "AA");
}

// A project without takes is written as version 1 (the previous version opens it as before);
// with takes, as version 2, which the previous version refuses as newer instead of dropping
// them. A version-1 file opens in this version without loss and without takes.
TEST(ProjectTakes, VersionOneStaysReadableAndTakesNeedVersionTwo) {
    project::Project project;
    project.song = makeSmallSong();
    project.trainingFiles = {QStringLiteral("/music/a.mid")};
    QJsonObject root = QJsonDocument::fromJson(project::ProjectFile::serialize(project)).object();
    EXPECT_EQ(root.value("version").toInt(), 1);
    EXPECT_FALSE(root.contains("takes"));

    project.takes = {sampleTake("A", 3)};
    root = QJsonDocument::fromJson(project::ProjectFile::serialize(project)).object();
    EXPECT_EQ(root.value("version").toInt(), 2);
    EXPECT_EQ(root.value("takes").toArray().size(), 1);

    // A version-1 project as the previous version wrote it.
    const QByteArray old = R"({"format":"torchestra-project","version":1,
        "song":{"ppq":480,"tempos":[{"tick":0,"usPerQuarter":500000}],"timeSignatures":[],
                "keySignatures":[],"tracks":[{"name":"Lead","channel":0,"program":0,
                "muted":false,"solo":false,"colour":"#4a90d9","notes":[[0,480,60,100,64,0]]}]},
        "training":{"files":["/music/a.mid"],"tracks":[0]},"generation":{"bars":8},
        "model":"/m.tcm","loop":{"enabled":true,"start":0,"end":1920}})";
    project::Project back;
    back.takes = {sampleTake("Q", 1)}; // parse must reset what it does not find
    ASSERT_EQ(project::ProjectFile::parse(old, back), "");
    EXPECT_TRUE(back.takes.empty());
    EXPECT_EQ(back.song.noteCount(), 1u);
    EXPECT_EQ(back.trainingTracks, std::vector<int>{0});
    EXPECT_EQ(back.modelPath, "/m.tcm");
    EXPECT_TRUE((back.loop == project::LoopRange{true, 0, 1920}));
}

TEST(ProjectTakes, DamagedTakesAreNamedWithTheirPlace) {
    project::Project project;
    project.song = makeSmallSong();
    project.takes = {sampleTake("A", 1), sampleTake("B", 2)};
    const QJsonObject good =
        QJsonDocument::fromJson(project::ProjectFile::serialize(project)).object();
    const auto errorWith = [&good](const QString& key, const QJsonValue& value) {
        QJsonObject root = good;
        QJsonArray takes = root["takes"].toArray();
        QJsonObject second = takes[1].toObject();
        second[key] = value;
        takes[1] = second;
        root["takes"] = takes;
        project::Project back;
        return project::ProjectFile::parse(QJsonDocument(root).toJson(), back).toStdString();
    };
    EXPECT_NE(errorWith("seed", "lucky").find("takes[1].seed"), std::string::npos);
    EXPECT_NE(errorWith("variation", 4).find("takes[1].variation"), std::string::npos);
    EXPECT_NE(errorWith("to", 100).find("takes[1].to"), std::string::npos); // before `from`
    EXPECT_NE(errorWith("name", "b").find("takes[1].name"), std::string::npos);
    EXPECT_NE(errorWith("temperature", 0).find("takes[1].temperature"), std::string::npos);
    EXPECT_NE(errorWith("notes", QJsonArray{QJsonArray{1, 2, 3}}).find("takes[1].notes[0]"),
              std::string::npos);
    EXPECT_EQ(errorWith("model", "renamed"), "");

    QJsonObject root = good;
    root["takes"] = QJsonObject{};
    project::Project back;
    EXPECT_TRUE(
        project::ProjectFile::parse(QJsonDocument(root).toJson(), back).contains("project.takes"));
}

TEST(ProjectTakes, CheckpointHashSaysWhetherTheFileIsStillTheModel) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath("m.tcm");
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("checkpoint bytes");
    f.close();
    const QString hash = project::checkpointHash(path);
    EXPECT_EQ(hash.size(), 16);
    EXPECT_EQ(project::checkpointHash(path), hash);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("retrained");
    f.close();
    EXPECT_NE(project::checkpointHash(path), hash);
    EXPECT_EQ(project::checkpointHash(dir.filePath("gone.tcm")), "");
}

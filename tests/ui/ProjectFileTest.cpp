// The .torchestra project format: round trips of everything a song holds, and clear errors for
// what is not a project, a newer format, or a damaged file.
#include "DemoSong.h"
#include "TestFiles.h"

#include "project/ProjectFile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

// Everything a song can hold: tempo, metre and key changes, a track without a program, channel
// events, meta events with arbitrary bytes, SysEx, zero-length and extreme notes.
model::Song richSong() {
    model::Song song = makeSmallSong();
    model::TempoMap map(960);
    map.setTempo(0, 600000);
    map.setTempo(3840, 400000);
    model::TimeSignature ts;
    ts.tick = 7680;
    ts.numerator = 7;
    ts.denominator = 8;
    map.setTimeSignature(ts);
    map.setKeySignature({0, -3, true});
    song.setTempoMap(map);

    model::Track extra;
    extra.properties.name = "Ünïcode \"quoted\" name";
    extra.properties.channel = 15;
    extra.properties.program.reset();
    extra.properties.muted = true;
    extra.properties.solo = true;
    extra.properties.colour = 0x00ff7f;
    extra.channelEvents = {{0, 0xB5, 7, 100}, {10, 0xE5, 0, 64}, {10, 0xC5, 12, 0}};
    extra.metaEvents = {{0, model::meta::kText, std::string("a\0b\xff", 4)},
                        {5, model::meta::kMarker, "Chorus"}};
    extra.sysExEvents = {{1, false, std::string("\x7e\x7f\x09\x01\xf7", 5)}, {2, true, "\xf0"}};
    extra.endOfTrack = 99999;
    const model::TrackId id = song.addTrack(extra);
    song.addNotes(id, {makeNote(0, 0, 0, 1, 15), makeNote(123456789, 5, 127, 127, 15)});
    return song;
}

} // namespace

TEST(ProjectFileTest, RoundTripKeepsTheWholeSongAndSettings) {
    project::Project project;
    project.song = richSong();
    project.trainingFiles = {"/music/a.mid", "/music/b b.mid"};
    project.generation = QJsonObject{{"temperature", 0.9}, {"bars", 8}, {"seed", 42}};
    project.modelPath = "/models/markov.ckpt";
    const QByteArray json = project::ProjectFile::serialize(project);

    const QJsonObject root = QJsonDocument::fromJson(json).object();
    EXPECT_EQ(root.value("format").toString(), "torchestra-project");
    EXPECT_EQ(root.value("version").toInt(), 1);
    EXPECT_TRUE(root.value("song").isObject());
    EXPECT_EQ(root.value("training").toObject().value("files").toArray().size(), 2);
    EXPECT_EQ(root.value("model").toString(), "/models/markov.ckpt");

    project::Project back;
    ASSERT_EQ(project::ProjectFile::parse(json, back), "");
    EXPECT_TRUE(back.song.sameContent(project.song, false));
    EXPECT_EQ(back.song.trackAt(2).endOfTrack, 99999);
    EXPECT_FALSE(back.song.trackAt(2).properties.program.has_value());
    EXPECT_EQ(back.trainingFiles, project.trainingFiles);
    EXPECT_EQ(back.generation, project.generation);
    EXPECT_EQ(back.modelPath, project.modelPath);
    EXPECT_TRUE(back.recoveryFor.isNull());
}

TEST(ProjectFileTest, RoundTripOfTheDemoThroughAFile) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    project::Project project;
    project.song = makeDemoSong();
    const QString path = dir.filePath("demo.torchestra");
    ASSERT_EQ(project::ProjectFile::write(path, project), "");
    project::Project back;
    ASSERT_EQ(project::ProjectFile::read(path, back), "");
    EXPECT_TRUE(back.song.sameContent(project.song, false));
    EXPECT_TRUE(project::ProjectFile::isProjectFileName(path));
    EXPECT_FALSE(project::ProjectFile::isProjectFileName(dir.filePath("demo.mid")));
}

TEST(ProjectFileTest, NewerVersionGivesAClearError) {
    project::Project project;
    project.song = makeSmallSong();
    QJsonObject root = QJsonDocument::fromJson(project::ProjectFile::serialize(project)).object();
    root["version"] = 7;
    project::Project back;
    const QString error = project::ProjectFile::parse(QJsonDocument(root).toJson(), back);
    EXPECT_TRUE(error.contains("newer")) << error.toStdString();
    EXPECT_TRUE(error.contains("7")) << error.toStdString();

    root["version"] = "one";
    EXPECT_TRUE(
        project::ProjectFile::parse(QJsonDocument(root).toJson(), back).contains("version"));
}

TEST(ProjectFileTest, OtherFilesAreNotProjects) {
    project::Project back;
    EXPECT_TRUE(
        project::ProjectFile::parse("{not json", back).startsWith("not a Torchestra project"));
    EXPECT_TRUE(project::ProjectFile::parse("[1,2]", back).startsWith("not a Torchestra project"));
    EXPECT_TRUE(project::ProjectFile::parse(R"({"format":"something-else","version":1})", back)
                    .startsWith("not a Torchestra project"));
    EXPECT_TRUE(project::ProjectFile::parse(R"({"format":"torchestra-project","version":1})", back)
                    .contains("no song"));
    EXPECT_TRUE(project::ProjectFile::parse("", back).startsWith("not a Torchestra project"));
}

TEST(ProjectFileTest, DamagedValuesAreNamedWithTheirPlace) {
    project::Project project;
    project.song = makeSmallSong();
    QJsonObject root = QJsonDocument::fromJson(project::ProjectFile::serialize(project)).object();
    QJsonObject song = root["song"].toObject();
    QJsonArray tracks = song["tracks"].toArray();
    QJsonObject track = tracks[1].toObject();
    QJsonArray notes = track["notes"].toArray();
    notes[2] = QJsonArray{0, 10, 300, 100, 64, 0}; // pitch 300
    track["notes"] = notes;
    tracks[1] = track;
    song["tracks"] = tracks;
    root["song"] = song;
    project::Project back;
    const QString error = project::ProjectFile::parse(QJsonDocument(root).toJson(), back);
    EXPECT_TRUE(error.contains("song.tracks[1].notes[2]")) << error.toStdString();
    EXPECT_TRUE(error.contains("300")) << error.toStdString();

    song["ppq"] = -5;
    root["song"] = song;
    EXPECT_TRUE(project::ProjectFile::parse(QJsonDocument(root).toJson(), back).contains("ppq"));
}

TEST(ProjectFileTest, MissingFileNamesIt) {
    project::Project back;
    const QString error = project::ProjectFile::read("/nonexistent/dir/x.torchestra", back);
    EXPECT_FALSE(error.isEmpty());
}

TEST(ProjectFileTest, RoundTripKeepsTrainingTracksModelSettingsAndLoop) {
    project::Project project;
    project.song = makeSmallSong();
    project.trainingFiles = {"/music/a.mid"};
    project.trainingTracks = {1, 3};
    project.trainingModel = QJsonObject{{"kind", "markov"}, {"preset", "small"}, {"epochs", 7}};
    project.loop = project::LoopRange{true, 480, 1920};
    const QByteArray json = project::ProjectFile::serialize(project);

    const QJsonObject root = QJsonDocument::fromJson(json).object();
    EXPECT_EQ(root.value("version").toInt(), 1); // optional additions: still version 1
    const QJsonObject training = root.value("training").toObject();
    EXPECT_EQ(training.value("tracks").toArray(), (QJsonArray{1, 3}));
    EXPECT_EQ(training.value("model").toObject().value("kind").toString(), "markov");
    const QJsonObject loop = root.value("loop").toObject();
    EXPECT_TRUE(loop.value("enabled").toBool());
    EXPECT_EQ(loop.value("start").toInt(), 480);
    EXPECT_EQ(loop.value("end").toInt(), 1920);

    project::Project back;
    ASSERT_EQ(project::ProjectFile::parse(json, back), "");
    EXPECT_EQ(back.trainingTracks, project.trainingTracks);
    EXPECT_EQ(back.trainingModel, project.trainingModel);
    EXPECT_TRUE(back.loop == project.loop);

    // A range kept while not looping survives as well.
    project.loop = project::LoopRange{false, 960, 2880};
    ASSERT_EQ(project::ProjectFile::parse(project::ProjectFile::serialize(project), back), "");
    EXPECT_TRUE(back.loop == project.loop);
}

TEST(ProjectFileTest, ProjectsWrittenBeforeTracksAndLoopStillOpen) {
    // A version 1 project as the first workstation wrote it: no training.tracks, no
    // training.model, no loop.
    const QByteArray old = R"({"format":"torchestra-project","version":1,
        "song":{"ppq":480,"tempos":[{"tick":0,"usPerQuarter":500000}],"timeSignatures":[],
                "keySignatures":[],"tracks":[{"name":"Lead","channel":0,"program":0,
                "muted":false,"solo":false,"colour":"#4a90d9","notes":[[0,480,60,100,64,0]]}]},
        "training":{"files":["/music/a.mid"]},"generation":{"bars":8},"model":""})";
    project::Project back;
    back.trainingTracks = {9}; // parse must reset what it does not find
    back.loop = project::LoopRange{true, 1, 2};
    ASSERT_EQ(project::ProjectFile::parse(old, back), "");
    EXPECT_EQ(back.song.noteCount(), 1u);
    EXPECT_EQ(back.trainingFiles, QStringList{"/music/a.mid"});
    EXPECT_TRUE(back.trainingTracks.empty());
    EXPECT_TRUE(back.trainingModel.isEmpty());
    EXPECT_TRUE(back.loop == project::LoopRange{});
    // And a project without those parts writes none of them.
    const QJsonObject root =
        QJsonDocument::fromJson(project::ProjectFile::serialize(project::Project{})).object();
    EXPECT_FALSE(root.contains("loop"));
    EXPECT_FALSE(root.value("training").toObject().contains("tracks"));
}

TEST(ProjectFileTest, DamagedTracksAndLoopAreNamed) {
    project::Project project;
    project.song = makeSmallSong();
    QJsonObject root = QJsonDocument::fromJson(project::ProjectFile::serialize(project)).object();
    QJsonObject training = root["training"].toObject();
    training["tracks"] = QJsonArray{1, -2};
    root["training"] = training;
    project::Project back;
    QString error = project::ProjectFile::parse(QJsonDocument(root).toJson(), back);
    EXPECT_TRUE(error.contains("training.tracks[1]")) << error.toStdString();

    training["tracks"] = QJsonArray{1};
    root["training"] = training;
    root["loop"] = QJsonObject{{"enabled", true}, {"start", "soon"}, {"end", 100}};
    error = project::ProjectFile::parse(QJsonDocument(root).toJson(), back);
    EXPECT_TRUE(error.contains("loop.start")) << error.toStdString();
    root["loop"] = QJsonObject{{"enabled", true}, {"start", 960}, {"end", 480}};
    error = project::ProjectFile::parse(QJsonDocument(root).toJson(), back);
    EXPECT_TRUE(error.contains("loop")) << error.toStdString();
}

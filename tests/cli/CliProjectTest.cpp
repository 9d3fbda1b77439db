// `inspect` of a .torchestra project, through the real binary: the song as for a MIDI file,
// plus the model it uses and what it trains on.
#include "CliTestUtil.h"

#include "project/ProjectFile.h"

#include <filesystem>

using namespace torchestra;
using namespace torchestra::clitest;

namespace {

project::Project twoTrackProject() {
    project::Project p;
    model::TempoMap map(480);
    map.setTempo(0, 500000);
    map.setTimeSignature({0, 3, 4});
    p.song.setTempoMap(map);
    model::Track piano;
    piano.properties.name = "Piano";
    const model::TrackId id = p.song.addTrack(piano);
    p.song.addNotes(id, {makeNote(0, 480, 60), makeNote(480, 480, 64, 90)});
    model::Track bass;
    bass.properties.name = "Bass";
    bass.properties.channel = 1;
    const model::TrackId bassId = p.song.addTrack(bass);
    p.song.addNotes(bassId, {makeNote(0, 1440, 36, 80, 1)});
    p.trainingFiles << QStringLiteral("a.mid") << QStringLiteral("b.mid");
    p.trainingTracks = {0, 2};
    return p;
}

} // namespace

TEST(CliProject, InspectProjectListsTracksNotesAndTheModelItUses) {
    const std::string dir = tempDir() + "/project-inspect";
    std::filesystem::create_directories(dir);
    const std::string song = writeSong("project-song.mid", twoTrackProject().song);
    const std::string model = dir + "/markov.tcm";
    ASSERT_EQ(runCli("train --model markov --out " + model + " " + song).exitCode, 0);
    project::Project p = twoTrackProject();
    p.modelPath = QString::fromStdString(model);
    const std::string path = dir + "/song.torchestra";
    ASSERT_TRUE(project::ProjectFile::write(QString::fromStdString(path), p).isEmpty());

    const RunResult text = runCli("inspect " + path);
    EXPECT_EQ(text.exitCode, 0) << text.err;
    EXPECT_NE(text.out.find("2 tracks, 3 notes"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("0  Piano  channel 1"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("1  Bass  channel 2"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("3/4"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("model " + model + "  MARKOV order 2, 1 file(s)"), std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("training files 2, tracks 0, 2"), std::string::npos) << text.out;

    const RunResult json = runCli("inspect " + path + " --json");
    EXPECT_EQ(json.exitCode, 0) << json.err;
    EXPECT_EQ(json.out.rfind("{\"format\":1,\"ppq\":480,\"tracks\":2,", 0), 0u) << json.out;
    EXPECT_NE(json.out.find("{\"track\":1,\"channel\":1,\"pitch\":36,\"velocity\":80,"
                            "\"startTick\":0,\"endTick\":1440}"),
              std::string::npos)
        << json.out;
    EXPECT_NE(json.out.find("\"project\":{\"model\":\"" + model +
                            "\",\"modelDescription\":\"MARKOV order 2, 1 file(s)"),
              std::string::npos)
        << json.out;
    EXPECT_NE(json.out.find("\"trainingFiles\":[\"a.mid\",\"b.mid\"],\"trainingTracks\":[0,2]}}"),
              std::string::npos)
        << json.out;
}

TEST(CliProject, InspectProjectWhoseModelIsGoneStillShowsTheSong) {
    project::Project p = twoTrackProject();
    p.modelPath = QStringLiteral("/nonexistent/model.tcm");
    const std::string path = tempDir() + "/gone-model.torchestra";
    ASSERT_TRUE(project::ProjectFile::write(QString::fromStdString(path), p).isEmpty());
    const RunResult r = runCli("inspect " + path);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("2 tracks, 3 notes"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(cannot be read: /nonexistent/model.tcm: "), std::string::npos) << r.out;
}

TEST(CliProject, InspectRefusesABrokenProjectNamingTheFile) {
    const std::string path = tempDir() + "/broken.torchestra";
    {
        std::ofstream out(path);
        out << "{\"format\": \"torchestra-project\", \"version\": 1, \"song\": [";
    }
    const RunResult r = runCli("inspect " + path);
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.rfind("torchestra-cli inspect: " + path + ": ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

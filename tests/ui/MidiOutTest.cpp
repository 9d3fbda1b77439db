// Into the DAW (#15): the selection, a track and a take leave the window as .mid files (a drag's
// MIME data: audio/midi bytes and a file URL), read back by the project's reader and by mido;
// Copy puts the notes on the clipboard as MIDI too, and a MIDI file another program copied
// pastes.

#include "LearningTestSupport.h"

#include "midi/MidiFile.h"
#include "ui/common/MidiDragSource.h"
#include "ui/common/MidiMime.h"
#include "ui/panels/GeneratePanel.h"
#include "ui/panels/TakesView.h"
#include "ui/pianoroll/NoteClipboard.h"
#include "ui/pianoroll/PianoRollView.h"

#include <QClipboard>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QMimeData>
#include <QProcess>
#include <QTreeView>
#include <QTreeWidget>

#include <memory>
#include <set>
#include <tuple>

using namespace torchestra;
using namespace torchestra::ui;
using namespace torchestra::ui::test;

namespace {

using NoteKey = std::tuple<model::Tick, int, model::Tick>; // start, pitch, length

std::multiset<NoteKey> keys(const std::vector<model::Note>& notes, model::Tick shift = 0) {
    std::multiset<NoteKey> out;
    for (const model::Note& n : notes)
        out.insert({n.start - shift, n.pitch, n.length});
    return out;
}

// The notes of every track of a MIDI file as mido reads them: "start pitch length" per note.
std::multiset<NoteKey> midoNotes(const QString& path) {
    const char* script = R"(
import sys, mido
for track in mido.MidiFile(sys.argv[1]).tracks:
    now, on = 0, {}
    for m in track:
        now += m.time
        if m.type == 'note_on' and m.velocity > 0:
            on.setdefault((m.channel, m.note), []).append(now)
        elif m.type in ('note_off', 'note_on'):
            start = on[(m.channel, m.note)].pop(0)
            print(start, m.note, now - start)
)";
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), script, path});
    EXPECT_TRUE(python.waitForFinished(30000));
    EXPECT_EQ(python.exitCode(), 0) << python.readAllStandardError().toStdString();
    std::multiset<NoteKey> out;
    for (const QByteArray& line : python.readAllStandardOutput().split('\n')) {
        const QList<QByteArray> f = line.split(' ');
        if (f.size() == 3)
            out.insert({f[0].toLongLong(), f[1].toInt(), f[2].toLongLong()});
    }
    return out;
}

// The file a drag carries, checked: its URL names a file holding the audio/midi bytes, which
// the project's reader reads. Returns the path ("" on failure).
QString checkedFile(const QMimeData* mime, midi::ReadResult& read) {
    EXPECT_TRUE(mime->hasUrls());
    if (!mime->hasUrls() || !mime->urls().front().isLocalFile())
        return {};
    const QString path = mime->urls().front().toLocalFile();
    EXPECT_TRUE(path.endsWith(QStringLiteral(".mid"))) << path.toStdString();
    QFile file(path);
    EXPECT_TRUE(file.open(QIODevice::ReadOnly)) << path.toStdString();
    EXPECT_EQ(file.readAll(), mime->data(QString::fromLatin1(kMidiMimeType)));
    read = midi::readMidiFile(QFile::encodeName(path).toStdString());
    EXPECT_TRUE(read.ok) << read.error;
    return path;
}

class MidiOutTest : public LearningWindowTest {
protected:
    void SetUp() override {
        LearningWindowTest::SetUp();
        ASSERT_TRUE(openFirstFile());
        m_view = m_window.pianoRoll();
        ASSERT_NE(m_view->activeTrack(), model::kNoTrack);
    }
    model::Tick bar(int index) const { return m_window.song().tempoMap().barToTick(index); }
    const model::Track& activeTrack() const {
        return *m_window.song().track(m_view->activeTrack());
    }

    PianoRollView* m_view = nullptr;
};

} // namespace

// The toolbar's MIDI handle drags the selection out: a .mid of exactly those notes, from the
// bar line before them, that the project's reader and mido both read.
TEST_F(MidiOutTest, TheSelectionDragsOutAsAMidiFileOfThoseNotes) {
    m_view->selectRange(bar(4), bar(6)); // bars 5-6
    std::vector<model::Note> selected;
    for (model::NoteId id : m_view->selection())
        selected.push_back(*activeTrack().findNote(id));
    ASSERT_GE(selected.size(), 3u);

    auto* handle = m_window.findChild<QLabel*>(QStringLiteral("midiDragHandle"));
    ASSERT_TRUE(handle);
    auto* source = handle->findChild<MidiDragSource*>();
    ASSERT_TRUE(source) << "the handle is not a drag source";
    QString error;
    std::unique_ptr<QMimeData> mime(source->mimeDataAt({2, 2}, error));
    ASSERT_TRUE(mime) << error.toStdString();
    midi::ReadResult read;
    const QString path = checkedFile(mime.get(), read);
    ASSERT_FALSE(path.isEmpty());
    EXPECT_TRUE(QFileInfo(path).fileName().contains(QStringLiteral("bars 5-6")))
        << path.toStdString();

    ASSERT_EQ(read.song.trackCount(), 1u);
    const model::Track& track = read.song.trackAt(0);
    EXPECT_EQ(track.properties.name, activeTrack().properties.name);
    EXPECT_EQ(track.properties.program, activeTrack().properties.program);
    EXPECT_EQ(read.song.ppq(), m_window.song().ppq());
    EXPECT_EQ(read.song.tempoMap().usPerQuarterAt(0),
              m_window.song().tempoMap().usPerQuarterAt(bar(4)));
    // The notes, from the start of bar 5.
    EXPECT_EQ(keys(track.notes()), keys(selected, bar(4)));
    EXPECT_EQ(midoNotes(path), keys(selected, bar(4)));
}

// A track drags out of the track list whole, from the song's start; a row without notes says so.
TEST_F(MidiOutTest, ATrackDragsOutOfTheTrackList) {
    QTreeView* list = m_window.trackView();
    auto* source = list->viewport()->findChild<MidiDragSource*>();
    ASSERT_TRUE(source);
    const int row = 1;
    const QPoint at = list->visualRect(list->model()->index(row, 2)).center();
    QString error;
    std::unique_ptr<QMimeData> mime(source->mimeDataAt(at, error));
    ASSERT_TRUE(mime) << error.toStdString();
    midi::ReadResult read;
    const QString path = checkedFile(mime.get(), read);
    const model::Track& original = m_window.song().trackAt(row);
    ASSERT_EQ(read.song.trackCount(), 1u);
    EXPECT_EQ(keys(read.song.trackAt(0).notes()), keys(original.notes()));
    EXPECT_EQ(midoNotes(path), keys(original.notes()));
    // Below the last row: nothing to drag.
    EXPECT_EQ(source->mimeDataAt({5, list->viewport()->height() - 2}, error), nullptr);
}

// Copy: the clipboard holds Torchestra's own notes and a MIDI file; a MIDI file another program
// put there (no Torchestra format) pastes as its notes.
TEST_F(MidiOutTest, CopyPutsMidiOnTheClipboardAndMidiFromElsewherePastes) {
    m_view->selectRange(bar(0), bar(1));
    const std::size_t count = m_view->selection().size();
    ASSERT_GT(count, 0u);
    ASSERT_TRUE(m_view->copySelection());
    const QMimeData* copied = QGuiApplication::clipboard()->mimeData();
    ASSERT_TRUE(copied);
    EXPECT_TRUE(copied->hasFormat(QString::fromLatin1(NoteClipboard::kNotesMimeType)));
    const QByteArray bytes = copied->data(QString::fromLatin1(kMidiMimeType));
    const midi::ReadResult read =
        midi::readMidi(std::string_view(bytes.constData(), std::size_t(bytes.size())));
    ASSERT_TRUE(read.ok) << read.error;
    EXPECT_EQ(read.song.trackAt(0).notes().size(), count);

    // Only the MIDI bytes, as a DAW would copy them: pasted at the playhead (bar 9).
    auto* foreign = new QMimeData;
    foreign->setData(QString::fromLatin1(kMidiMimeType), bytes);
    QGuiApplication::clipboard()->setMimeData(foreign);
    ASSERT_TRUE(PianoRollView::clipboardHasNotes());
    m_view->setPlayheadTick(bar(8));
    const std::size_t before = activeTrack().notes().size();
    ASSERT_TRUE(m_view->paste());
    EXPECT_EQ(activeTrack().notes().size(), before + count);
    std::vector<model::Note> pasted;
    for (model::NoteId id : m_view->selection())
        pasted.push_back(*activeTrack().findNote(id));
    std::vector<model::Note> firstBar;
    for (const model::Note& n : activeTrack().notes())
        if (n.start < bar(1))
            firstBar.push_back(n);
    EXPECT_EQ(keys(pasted, bar(8)), keys(firstBar, bar(0)));
}

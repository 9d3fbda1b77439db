#include "ui/pianoroll/PianoRollView.h"

#include "ui/pianoroll/NoteClipboard.h"
#include "ui/pianoroll/PianoRollKeys.h"
#include "ui/pianoroll/PianoRollPainter.h"
#include "ui/pianoroll/PianoRollToolTip.h"
#include "ui/pianoroll/SelectionEdits.h"

#include "ml/Scales.h"

#include "model/EditCommands.h"
#include "model/UndoStack.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QThread>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace torchestra::ui {

namespace {

constexpr double kWheelZoomBase = 1.0015; // per 1/8 degree: one notch (120) zooms by ~20%

} // namespace

PianoRollView::PianoRollView(QWidget* parent)
    : QAbstractScrollArea(parent), m_colours(theme::pianoRollColours()) {
    setFocusPolicy(Qt::StrongFocus);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    // Everything is painted by paintEvent; nothing the system would fill first.
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    viewport()->setMouseTracking(true);
    m_geometry.setKeyHeight(PianoRollGeometry::kDefaultKeyHeight);
    updateNoteArea();
    centreOnPitch(60);
}

PianoRollView::~PianoRollView() {
    if (m_song)
        m_song->removeListener(this);
}

void PianoRollView::setSong(model::Song* song) {
    if (!model::switchSong(this, m_song, song))
        return;
    songReloaded();
}

void PianoRollView::setColours(const PianoRollColours& colours) {
    m_colours = colours;
    viewport()->update();
}

void PianoRollView::setActiveTrack(model::TrackId track) {
    if (track == m_activeTrack)
        return;
    m_activeTrack = track;
    if (!m_selection.empty()) {
        m_selection.clear();
        emit selectionChanged();
    }
    viewport()->update();
}

void PianoRollView::setTool(Tool tool) {
    if (tool == m_tool)
        return;
    m_tool = tool;
    m_gestures.updateCursor(viewport()->mapFromGlobal(QCursor::pos()));
    emit toolChanged(tool);
}

// --- Grid ----------------------------------------------------------------------------------

void PianoRollView::setSnap(int division, bool triplet) {
    m_snapDivision = division;
    m_snapTriplet = triplet && division > 0;
    viewport()->update();
}

model::Tick PianoRollView::snapTicks() const {
    if (m_snapDivision <= 0)
        return 1;
    const model::Tick whole = model::Tick(m_geometry.ppq()) * 4;
    const model::Tick step =
        m_snapTriplet ? whole * 2 / (3 * m_snapDivision) : whole / m_snapDivision;
    return std::max<model::Tick>(1, step);
}

model::Tick PianoRollView::editGridTicks() const {
    return m_snapDivision > 0 ? snapTicks() : std::max(1, m_geometry.ppq() / 4);
}

model::Tick PianoRollView::snapNearest(double tick) const {
    const double step = double(snapTicks());
    return std::max<model::Tick>(0, model::Tick(std::llround(std::round(tick / step) * step)));
}

model::Tick PianoRollView::snapFloor(double tick) const {
    const double step = double(snapTicks());
    return std::max<model::Tick>(0, model::Tick(std::llround(std::floor(tick / step) * step)));
}

void PianoRollView::setColourMode(ColourMode mode) {
    m_colourMode = mode;
    viewport()->update();
}

void PianoRollView::setGhostNotesVisible(bool visible) {
    m_ghostNotes = visible;
    viewport()->update();
}

void PianoRollView::setScaleHighlight(int root, const QString& scaleName) {
    m_scaleRoot = ((root % 12) + 12) % 12;
    // "", "none" and names ml does not know turn the highlight off.
    m_scaleMask = ml::scaleMask(scaleName.toStdString());
    m_scaleName = m_scaleMask ? scaleName : QString();
    viewport()->update();
}

bool PianoRollView::inScale(int pitch) const {
    const int step = ((pitch - m_scaleRoot) % 12 + 12) % 12;
    return m_scaleMask == 0 || ((m_scaleMask >> step) & 1u);
}

// --- Velocity lane, playhead, loop ------------------------------------------------------------

void PianoRollView::setVelocityLaneVisible(bool visible) {
    if (visible == m_velocityLane)
        return;
    m_velocityLane = visible;
    updateNoteArea();
    updateScrollBars();
    viewport()->update();
}

QRect PianoRollView::velocityLaneRect() const {
    if (!m_velocityLane)
        return {};
    const QSize size = viewport()->size();
    return QRect(kKeyboardWidth, size.height() - kVelocityLaneHeight,
                 std::max(0, size.width() - kKeyboardWidth), kVelocityLaneHeight);
}

double PianoRollView::velocityToY(int velocity) const {
    return velocityLane().velocityToY(velocity);
}

int PianoRollView::yToVelocity(double y) const {
    return velocityLane().yToVelocity(y);
}

void PianoRollView::setPlayheadTick(model::Tick tick) {
    tick = std::max<model::Tick>(0, tick);
    if (tick == m_playhead)
        return;
    repaintPlayhead(m_playhead);
    m_playhead = tick;
    if (m_followPlayhead && !m_gestures.active()) {
        const QRectF area = m_geometry.noteArea();
        const double x = m_geometry.tickToX(double(tick));
        if (x < area.left() || x > area.right() - 8) {
            // Page rather than scroll smoothly: notes stay still while they are read.
            m_geometry.setScroll(m_geometry.scrollX() + x - area.left() - area.width() * 0.1,
                                 m_geometry.scrollY());
            updateScrollBars();
            viewport()->update();
        }
    }
    repaintPlayhead(m_playhead);
}

void PianoRollView::ensureTickVisible(model::Tick tick) {
    const QRectF area = m_geometry.noteArea();
    const double x = m_geometry.tickToX(double(tick));
    if (x >= area.left() && x <= area.right())
        return;
    m_geometry.setScroll(m_geometry.scrollX() + x - area.left() - area.width() * 0.1,
                         m_geometry.scrollY());
    updateScrollBars();
    viewport()->update();
}

void PianoRollView::setLoopRange(model::Tick start, model::Tick end) {
    if (end <= start)
        start = end = 0;
    if (start == m_loopStart && end == m_loopEnd)
        return;
    m_loopStart = start;
    m_loopEnd = end;
    viewport()->update();
}

void PianoRollView::repaintPlayhead(model::Tick tick) {
    const int x = int(std::lround(m_geometry.tickToX(double(tick))));
    viewport()->update(QRect(x - 6, 0, 13, viewport()->height()));
}

// --- Selection ---------------------------------------------------------------------------------

const model::Track* PianoRollView::activeTrackPtr() const {
    return m_song && m_activeTrack != model::kNoTrack ? m_song->track(m_activeTrack) : nullptr;
}

bool PianoRollView::canEdit() const {
    return m_undoStack && activeTrackPtr();
}

void PianoRollView::selectionEdited() {
    emit selectionChanged();
    viewport()->update();
}

void PianoRollView::setSelection(const std::vector<model::NoteId>& ids) {
    std::set<model::NoteId> next;
    if (const model::Track* track = activeTrackPtr()) {
        for (model::NoteId id : ids)
            if (track->findNote(id))
                next.insert(id);
    }
    if (next == m_selection)
        return;
    m_selection = std::move(next);
    selectionEdited();
}

void PianoRollView::clearSelection() {
    setSelection({});
}

void PianoRollView::selectAll() {
    std::vector<model::NoteId> ids;
    if (const model::Track* track = activeTrackPtr())
        for (const model::Note& n : track->notes())
            ids.push_back(n.id);
    setSelection(ids);
}

void PianoRollView::selectRange(model::Tick from, model::Tick to) {
    std::vector<model::NoteId> ids;
    if (const model::Track* track = activeTrackPtr())
        for (const model::Note& n : track->notes())
            if (n.start >= from && n.start < to)
                ids.push_back(n.id);
    setSelection(ids);
}

std::vector<model::Note> PianoRollView::selectedNotes() const {
    std::vector<model::Note> notes;
    if (const model::Track* track = activeTrackPtr()) {
        for (model::NoteId id : m_selection)
            if (const model::Note* n = track->findNote(id))
                notes.push_back(*n);
    }
    return notes;
}

// --- Edits -------------------------------------------------------------------------------------

void PianoRollView::push(std::unique_ptr<model::Command> command) {
    Q_ASSERT(QThread::currentThread() == thread()); // the GUI thread owns the song
    if (command && m_undoStack)
        m_undoStack->push(std::move(command));
}

bool PianoRollView::editSelection(const SelectionEdit& make) {
    if (!canEdit() || m_selection.empty())
        return false;
    std::unique_ptr<model::Command> command = make(*m_song, m_activeTrack, selectedIds());
    if (!command)
        return false;
    push(std::move(command));
    return true;
}

bool PianoRollView::addAndSelect(std::unique_ptr<model::AddNotesCommand> command) {
    if (!command)
        return false;
    const model::AddNotesCommand* added = command.get();
    push(std::move(command));
    setSelection(added->ids());
    return true;
}

bool PianoRollView::deleteSelection() {
    return editSelection(
        [](const model::Song& song, model::TrackId track, const std::vector<model::NoteId>& ids) {
            return edits::deleteNotes(song, track, ids);
        });
}

bool PianoRollView::copySelection() {
    const model::Track* track = activeTrackPtr();
    return track && NoteClipboard::store(selectedNotes(), *m_song, track->properties);
}

bool PianoRollView::cutSelection() {
    if (!canEdit() || !copySelection())
        return false;
    push(edits::deleteNotes(*m_song, m_activeTrack, selectedIds(), "Cut"));
    return true;
}

bool PianoRollView::clipboardHasNotes() {
    return NoteClipboard::hasNotes();
}

bool PianoRollView::paste() {
    if (!canEdit() || !NoteClipboard::hasNotes())
        return false;
    const std::uint8_t channel = activeTrackPtr()->properties.channel;
    return addAndSelect(edits::paste(*m_song, m_activeTrack,
                                     NoteClipboard::notesAt(m_playhead, channel, m_song->ppq())));
}

bool PianoRollView::duplicateSelection() {
    if (!canEdit())
        return false;
    return addAndSelect(edits::duplicate(*m_song, m_activeTrack, selectedIds(), editGridTicks()));
}

bool PianoRollView::transposeSelection(int semitones) {
    return editSelection(
        [&](const model::Song& song, model::TrackId track, const std::vector<model::NoteId>& ids) {
            return edits::transpose(song, track, ids, semitones);
        });
}

bool PianoRollView::nudgeSelection(int gridSteps) {
    return editSelection(
        [&](const model::Song& song, model::TrackId track, const std::vector<model::NoteId>& ids) {
            return edits::nudge(song, track, ids, gridSteps * editGridTicks());
        });
}

bool PianoRollView::quantizeSelection() {
    return editSelection(
        [&](const model::Song& song, model::TrackId track, const std::vector<model::NoteId>& ids) {
            return edits::quantize(song, track, ids, editGridTicks());
        });
}

bool PianoRollView::setSelectionVelocity(int velocity) {
    return editSelection(
        [&](const model::Song& song, model::TrackId track, const std::vector<model::NoteId>& ids) {
            return edits::setVelocity(song, track, ids, velocity);
        });
}

// --- Mouse -------------------------------------------------------------------------------------

const model::Note* PianoRollView::noteAt(const QPoint& pos) const {
    const model::Track* track = activeTrackPtr();
    if (!track || !m_geometry.noteArea().contains(pos))
        return nullptr;
    const int pitch = m_geometry.yToPitch(pos.y());
    // A pixel's tick span, so a very short note is still hittable when zoomed out.
    const double t = m_geometry.xToTick(pos.x());
    const double slop = 2.0 / m_geometry.pixelsPerTick();
    const model::Note* hit = nullptr;
    track->forEachNoteInRange(model::Tick(std::floor(t - slop)),
                              model::Tick(std::ceil(t + slop)) + 1, [&](const model::Note& n) {
                                  if (n.pitch != pitch)
                                      return;
                                  const QRectF r = m_geometry.noteRect(n).adjusted(-1, 0, 1, 0);
                                  if (r.contains(pos))
                                      hit = &n; // later notes are painted on top
                              });
    return hit;
}

void PianoRollView::mousePressEvent(QMouseEvent* event) {
    event->accept();
    m_gestures.press(event->position().toPoint(), event->button(), event->modifiers());
}

void PianoRollView::mouseMoveEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (m_geometry.noteArea().contains(pos))
        emit pointerMoved(std::max<model::Tick>(0, model::Tick(m_geometry.xToTick(pos.x()))),
                          std::clamp(m_geometry.yToPitch(pos.y()), 0, 127));
    m_gestures.move(pos, event->modifiers());
}

void PianoRollView::mouseReleaseEvent(QMouseEvent* event) {
    m_gestures.release(event->position().toPoint(), event->modifiers());
}

// --- Zoom and scrolling -----------------------------------------------------------------------

void PianoRollView::setPixelsPerQuarter(double pixels) {
    m_geometry.setPixelsPerQuarter(pixels);
    updateScrollBars();
    viewport()->update();
    emit zoomChanged();
}

void PianoRollView::setKeyHeight(double pixels) {
    m_geometry.setKeyHeight(pixels);
    updateScrollBars();
    viewport()->update();
    emit zoomChanged();
}

void PianoRollView::zoomHorizontally(double factor) {
    m_geometry.zoomHorizontally(factor, m_geometry.noteArea().center().x());
    updateScrollBars();
    viewport()->update();
    emit zoomChanged();
}

void PianoRollView::zoomVertically(double factor) {
    m_geometry.zoomVertically(factor, m_geometry.noteArea().center().y());
    updateScrollBars();
    viewport()->update();
    emit zoomChanged();
}

void PianoRollView::zoomToFit() {
    m_fitPending = true;
    applyPendingFit();
}

void PianoRollView::applyPendingFit() {
    const QRectF area = m_geometry.noteArea();
    // Before the first show the viewport has a placeholder size; fitting to it would be wrong.
    if (!m_fitPending || !isVisible() || area.width() < 16 || area.height() < 16)
        return;
    m_fitPending = false;

    int lowest = 128, highest = -1;
    model::Tick end = 0;
    if (m_song) {
        for (const model::Track& track : m_song->tracks()) {
            for (const model::Note& n : track.notes()) {
                lowest = std::min<int>(lowest, n.pitch);
                highest = std::max<int>(highest, n.pitch);
            }
        }
        end = m_song->endTick();
        // An empty or very short song still shows a few bars to draw in.
        const model::TempoMap& map = m_song->tempoMap();
        end = std::max(end, 4 * map.ticksPerBar(map.timeSignatureAt(0)));
    }

    centreOnPitch(m_geometry.fitTo(end, lowest, highest));
    emit zoomChanged();
}

void PianoRollView::centreOnPitch(double pitch) {
    const double rowCentre = (PianoRollGeometry::kPitchCount - 1 - pitch) * m_geometry.keyHeight() +
                             m_geometry.keyHeight() / 2.0;
    m_geometry.setScroll(m_geometry.scrollX(), rowCentre - m_geometry.noteArea().height() / 2.0);
    updateScrollBars();
    viewport()->update();
}
QColor PianoRollView::velocityColour(int velocity) {
    return PianoRollPainter::velocityColour(velocity);
}

QColor PianoRollView::noteFillColour(const model::Track& track, const model::Note& note) const {
    return PianoRollPainter::noteFillColour(m_colours, m_colourMode == ColourMode::Velocity,
                                            m_activeTrack, track, note);
}

// --- Layout and scrolling ----------------------------------------------------------------

void PianoRollView::updateNoteArea() {
    const QSize size = viewport()->size();
    const int lane = m_velocityLane ? kVelocityLaneHeight : 0;
    m_geometry.setNoteArea(QRectF(kKeyboardWidth, kRulerHeight,
                                  std::max(0, size.width() - kKeyboardWidth),
                                  std::max(0, size.height() - kRulerHeight - lane)));
}

model::Tick PianoRollView::contentEndTick() const {
    if (!m_song)
        return 0;
    const model::TempoMap& map = m_song->tempoMap();
    const model::Tick end = std::max(m_song->endTick(), m_playhead);
    // Some room after the last note to draw into: four bars, or at least one screen.
    const model::Tick room = map.ticksPerBar(map.timeSignatureAt(end)) * 4;
    return end + room;
}

void PianoRollView::updateScrollBars() {
    const QRectF area = m_geometry.noteArea();
    const double wantX = m_geometry.scrollX();
    const double wantY = m_geometry.scrollY();

    const int hMax =
        std::max(0, int(std::ceil(m_geometry.contentWidth(contentEndTick()) - area.width())));
    const int vMax = std::max(0, int(std::ceil(m_geometry.contentHeight() - area.height())));

    QScrollBar* h = horizontalScrollBar();
    QScrollBar* v = verticalScrollBar();
    {
        // scrollContentsBy would copy half-updated bar values into the geometry.
        const QSignalBlocker blockH(h);
        const QSignalBlocker blockV(v);
        h->setRange(0, hMax);
        h->setPageStep(std::max(1, int(area.width())));
        h->setSingleStep(std::max(1, int(m_geometry.pixelsPerQuarter() / 2)));
        h->setValue(int(std::lround(std::clamp(wantX, 0.0, double(hMax)))));
        v->setRange(0, vMax);
        v->setPageStep(std::max(1, int(area.height())));
        v->setSingleStep(std::max(1, int(m_geometry.keyHeight() * 2)));
        v->setValue(int(std::lround(std::clamp(wantY, 0.0, double(vMax)))));
    }
    m_geometry.setScroll(h->value(), v->value());
}

void PianoRollView::scrollContentsBy(int, int) {
    m_geometry.setScroll(horizontalScrollBar()->value(), verticalScrollBar()->value());
    viewport()->update();
}

void PianoRollView::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    updateNoteArea();
    applyPendingFit();
    updateScrollBars();
}

bool PianoRollView::viewportEvent(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text =
            PianoRollToolTip::at(m_song, m_geometry, m_activeTrack, m_ghostNotes, help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, viewport());
        return true;
    }
    if (event->type() == QEvent::Show)
        applyPendingFit();
    return QAbstractScrollArea::viewportEvent(event);
}

void PianoRollView::wheelEvent(QWheelEvent* event) {
    const QPoint angle = event->angleDelta();
    // Some platforms turn Shift+wheel into a horizontal delta; take whichever axis moved.
    const int delta = angle.y() != 0 ? angle.y() : angle.x();
    const Qt::KeyboardModifiers mods = event->modifiers();
    const QPointF pos = event->position();

    if (mods & Qt::ControlModifier) {
        const double factor = std::pow(kWheelZoomBase, delta);
        if (mods & Qt::ShiftModifier)
            m_geometry.zoomVertically(factor, pos.y());
        else
            m_geometry.zoomHorizontally(factor, pos.x());
        updateScrollBars();
        viewport()->update();
        emit zoomChanged();
        event->accept();
        return;
    }
    QScrollBar* bar = (mods & Qt::ShiftModifier) ? horizontalScrollBar() : verticalScrollBar();
    bar->setValue(bar->value() - delta * bar->singleStep() / 40);
    event->accept();
}

void PianoRollView::keyPressEvent(QKeyEvent* event) {
    if (!handlePianoRollKey(*this, *event))
        QAbstractScrollArea::keyPressEvent(event);
}

// --- Song notifications --------------------------------------------------------------------

void PianoRollView::repaintNote(const model::Note& note) {
    const QRect rect = m_geometry.noteRect(note).toAlignedRect().adjusted(-3, -3, 3, 3);
    const QRect visible = rect & m_geometry.noteArea().toAlignedRect();
    if (!visible.isEmpty())
        viewport()->update(visible);
    const QRect lane = velocityLaneRect();
    if (!lane.isEmpty()) {
        const int x = int(std::lround(m_geometry.tickToX(double(note.start))));
        viewport()->update(QRect(x - 5, lane.top(), 11, lane.height()) & lane);
    }
}

void PianoRollView::notesAdded(model::TrackId, const std::vector<model::Note>& notes) {
    updateScrollBars(); // the song may have grown
    if (m_song && m_song->noteCount() == notes.size())
        viewport()->update(); // the first notes: the empty roll's hint goes
    for (const model::Note& n : notes)
        repaintNote(n);
}

void PianoRollView::notesRemoved(model::TrackId track, const std::vector<model::Note>& notes) {
    updateScrollBars();
    if (m_song && m_song->noteCount() == 0)
        viewport()->update(); // the hint returns
    bool deselected = false;
    for (const model::Note& n : notes) {
        repaintNote(n);
        if (track == m_activeTrack)
            deselected = m_selection.erase(n.id) > 0 || deselected;
    }
    if (deselected)
        emit selectionChanged();
}

void PianoRollView::notesChanged(model::TrackId, const std::vector<model::NoteChange>& changes) {
    updateScrollBars();
    for (const model::NoteChange& c : changes) {
        repaintNote(c.before);
        repaintNote(c.after);
    }
}

void PianoRollView::tracksChanged() {
    if (m_song && m_activeTrack != model::kNoTrack && !m_song->track(m_activeTrack)) {
        m_activeTrack = model::kNoTrack;
        if (!m_selection.empty()) {
            m_selection.clear();
            emit selectionChanged();
        }
    }
    updateScrollBars();
    viewport()->update();
}

void PianoRollView::tempoMapChanged() {
    if (m_song)
        m_geometry.setPpq(m_song->ppq());
    updateScrollBars();
    viewport()->update();
}

void PianoRollView::songReloaded() {
    m_activeTrack = model::kNoTrack;
    m_gestures.cancel();
    if (!m_selection.empty()) {
        m_selection.clear();
        emit selectionChanged();
    }
    m_geometry.setPpq(m_song ? m_song->ppq() : 480);
    zoomToFit();
    updateScrollBars();
    viewport()->update();
}

// --- Painting --------------------------------------------------------------------------------

void PianoRollView::paintEvent(QPaintEvent* event) {
    PianoRollScene scene;
    scene.song = m_song;
    scene.geometry = &m_geometry;
    scene.colours = &m_colours;
    scene.font = font();
    scene.highlight = palette().color(QPalette::Highlight);
    scene.viewportSize = viewport()->size();
    scene.velocityLane = velocityLane();
    scene.activeTrack = m_activeTrack;
    scene.selection = &m_selection;
    scene.ghostNotes = m_ghostNotes;
    scene.colourByVelocity = m_colourMode == ColourMode::Velocity;
    scene.scaleRoot = m_scaleRoot;
    scene.scaleMask = m_scaleMask;
    scene.snapTicks = m_snapDivision > 0 ? snapTicks() : 0;
    scene.playhead = m_playhead;
    scene.loopStart = m_loopStart;
    scene.loopEnd = m_loopEnd;
    scene.noteOverlays = &m_noteOverlays;
    scene.pitchOutlook = &m_pitchOutlook;
    scene.erasing = &m_gestures.erasing();
    scene.drawnNote = m_gestures.drawnNote();
    scene.rubberBand = m_gestures.rubberBand();
    scene.velocityLine = m_gestures.velocityLine();
    scene.pressedKey = m_gestures.pressedKey();

    QPainter p(viewport());
    PianoRollPainter(p, scene).paint(event->rect());
}

QString PianoRollView::emptyHint() const {
    return PianoRollPainter::emptyHint(m_song, m_gestures.drawnNote(), !m_noteOverlays.empty());
}

void PianoRollView::setNoteOverlays(std::vector<NoteOverlay> overlays) {
    m_noteOverlays = std::move(overlays);
    viewport()->update();
}

} // namespace torchestra::ui

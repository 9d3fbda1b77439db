#pragma once

#include <QToolBar>

class QAction;
class QActionGroup;
class QComboBox;

namespace torchestra::ui {

class PianoRollView;

// The piano roll's tool bar: the editing tools (Select, Draw, Erase, Split, on the keys 1-4),
// the snap grid, the scale to highlight and, once added, the view toggles. Each control sets
// the piano roll directly; the tool buttons follow the roll's tool however it changes. GUI
// thread only.
class EditToolBar : public QToolBar {
    Q_OBJECT
public:
    EditToolBar(PianoRollView* pianoRoll, QWidget* parent = nullptr);

    // Adds the View menu's toggles (velocity lane, colour by velocity, ghost notes), with the
    // short labels a tool bar has room for.
    void addViewToggles(QAction* velocityLane, QAction* colourByVelocity, QAction* ghostNotes);

private:
    void addTools();
    void addSnap();
    void addScale();

    PianoRollView* m_pianoRoll;
    QActionGroup* m_toolGroup = nullptr;
    QComboBox* m_snapBox = nullptr;
};

} // namespace torchestra::ui

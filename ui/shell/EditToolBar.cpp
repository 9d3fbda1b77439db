#include "ui/shell/EditToolBar.h"

#include "ml/Scales.h"

#include "ui/common/Icons.h"
#include "ui/pianoroll/PianoRollView.h"

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QLabel>

namespace torchestra::ui {

EditToolBar::EditToolBar(PianoRollView* pianoRoll, QWidget* parent)
    : QToolBar(tr("Editor"), parent), m_pianoRoll(pianoRoll) {
    setObjectName(QStringLiteral("editToolBar"));
    setMovable(false);
    // Icons: the names are in the tooltips (with the keys) and in the overflow menu.
    setToolButtonStyle(Qt::ToolButtonIconOnly);
    addTools();
    addSnap();
    addScale();
}

void EditToolBar::addTools() {
    m_toolGroup = new QActionGroup(this);
    struct ToolInfo {
        PianoRollView::Tool tool;
        QString text;
        const char* name;
        const char* icon;
        Qt::Key key;
        QString tip;
    };
    for (const ToolInfo& t :
         {ToolInfo{PianoRollView::Tool::Select, tr("Select"), "toolSelect", "select", Qt::Key_1,
                   tr("Select: select, move and resize notes (1)")},
          ToolInfo{PianoRollView::Tool::Draw, tr("Draw"), "toolDraw", "draw", Qt::Key_2,
                   tr("Draw: draw notes; drag to set the length (2)")},
          ToolInfo{PianoRollView::Tool::Erase, tr("Erase"), "toolErase", "erase", Qt::Key_3,
                   tr("Erase: erase notes by clicking or sweeping over them (3)")},
          ToolInfo{PianoRollView::Tool::Split, tr("Split"), "toolSplit", "split", Qt::Key_4,
                   tr("Split: split notes at the grid line nearest the click (4)")}}) {
        QAction* a = addAction(icons::glyph(QLatin1String(t.icon)), t.text);
        a->setObjectName(QLatin1String(t.name));
        a->setCheckable(true);
        a->setChecked(m_pianoRoll->tool() == t.tool);
        a->setShortcut(QKeySequence(t.key));
        a->setToolTip(t.tip);
        const PianoRollView::Tool tool = t.tool;
        connect(a, &QAction::triggered, this, [this, tool] { m_pianoRoll->setTool(tool); });
        m_toolGroup->addAction(a);
    }
    connect(m_pianoRoll, &PianoRollView::toolChanged, this, [this](PianoRollView::Tool tool) {
        const QList<QAction*> actions = m_toolGroup->actions();
        actions.value(int(tool))->setChecked(true);
    });
}

void EditToolBar::addSnap() {
    addSeparator();
    auto* snapLabel = new QLabel(tr(" Grid "), this);
    addWidget(snapLabel);
    m_snapBox = new QComboBox(this);
    m_snapBox->setObjectName(QStringLiteral("snapBox"));
    m_snapBox->setToolTip(tr("Snap: where notes land when drawn, moved or resized (Alt: free)"));
    const QList<QPair<QString, QPair<int, bool>>> snaps = {
        {tr("Off"), {0, false}},         {tr("1/1"), {1, false}},
        {tr("1/2"), {2, false}},         {tr("1/4"), {4, false}},
        {tr("1/8"), {8, false}},         {tr("1/16"), {16, false}},
        {tr("1/32"), {32, false}},       {tr("1/4 triplet"), {4, true}},
        {tr("1/8 triplet"), {8, true}},  {tr("1/16 triplet"), {16, true}},
        {tr("1/32 triplet"), {32, true}}};
    for (const auto& s : snaps)
        m_snapBox->addItem(s.first, QVariantList{s.second.first, s.second.second});
    m_snapBox->setCurrentIndex(5);
    connect(m_snapBox, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QVariantList v = m_snapBox->itemData(index).toList();
        m_pianoRoll->setSnap(v.value(0).toInt(), v.value(1).toBool());
    });
    addWidget(m_snapBox);
}

void EditToolBar::addScale() {
    addSeparator();
    addWidget(new QLabel(tr(" Scale "), this));
    auto* root = new QComboBox(this);
    root->setObjectName(QStringLiteral("scaleRootBox"));
    for (const char* name :
         {"C", "C\u266f", "D", "E\u266d", "E", "F", "F\u266f", "G", "A\u266d", "A", "B\u266d", "B"})
        root->addItem(QString::fromUtf8(name));
    auto* scale = new QComboBox(this);
    scale->setObjectName(QStringLiteral("scaleBox"));
    // The scales generation knows (ml::scaleNames()), labelled as the Generate panel does.
    scale->addItem(tr("None"), QString());
    for (const std::string& name : ml::scaleNames()) {
        if (name == "chromatic") // every row in the scale: nothing to highlight
            continue;
        QString label = QString::fromStdString(name).replace('-', ' ');
        label[0] = label[0].toUpper();
        scale->addItem(label, QString::fromStdString(name));
    }
    auto applyScale = [this, root, scale] {
        m_pianoRoll->setScaleHighlight(root->currentIndex(), scale->currentData().toString());
    };
    connect(root, &QComboBox::currentIndexChanged, this, applyScale);
    connect(scale, &QComboBox::currentIndexChanged, this, applyScale);
    addWidget(root);
    addWidget(scale);
}

void EditToolBar::addViewToggles(QAction* velocityLane, QAction* colourByVelocity,
                                 QAction* ghostNotes) {
    addSeparator();
    for (QAction* a : {velocityLane, colourByVelocity, ghostNotes}) {
        if (a)
            addAction(a);
    }
    velocityLane->setIconText(tr("Velocity"));
    colourByVelocity->setIconText(tr("Colour by velocity"));
    ghostNotes->setIconText(tr("Ghosts"));
    velocityLane->setIcon(icons::glyph(QStringLiteral("velocity")));
    colourByVelocity->setIcon(icons::glyph(QStringLiteral("colour-velocity")));
    ghostNotes->setIcon(icons::glyph(QStringLiteral("ghosts")));
}

} // namespace torchestra::ui

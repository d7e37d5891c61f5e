#include "plot_group_view.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QVBoxLayout>

#include "app_settings.h"
#include "heatmap_panel.h"
#include "plot_panel.h"
#include "seed_groups.h"
#include "series_cache.h"

namespace sage::ui {

namespace {
constexpr int kSliderSteps = 999;  // the slider's 0..999 is the weight 0..0.999
constexpr int kColumns = 2;
constexpr int kSaveSmoothingDelayMs = 500;
}  // namespace

PlotGroupView::PlotGroupView(SeriesCache& cache, PanelGroupSpec group, QWidget* parent)
    : QWidget(parent),
      m_cache(cache),
      m_group(std::move(group)),
      m_smoothing(new QSlider(Qt::Horizontal, this)),
      m_smoothingValue(new QLabel(this)),
      m_xAxis(new QComboBox(this)) {
    setObjectName(QStringLiteral("plotGroup_%1").arg(m_group.id));
    m_smoothing->setObjectName(QStringLiteral("smoothingSlider"));
    m_smoothing->setRange(0, kSliderSteps);
    m_smoothing->setFixedWidth(180);
    m_smoothing->setToolTip(
        tr("Smoothing: TensorBoard's debiased exponential moving average over the whole series "
           "(0: raw). The raw curve stays drawn faintly."));
    m_smoothingValue->setMinimumWidth(40);
    m_xAxis->setObjectName(QStringLiteral("xAxisCombo"));
    m_xAxis->addItems({tr("Step"), tr("Wall time")});
    m_xAxis->setToolTip(tr("The x axis of every panel in this tab"));
    auto* add = new QPushButton(tr("Add panel…"), this);
    add->setObjectName(QStringLiteral("addPanelButton"));
    add->setToolTip(tr("Add a panel of metrics you choose (Ctrl+Shift+A)"));
    add->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+A")));

    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Smoothing"), this));
    bar->addWidget(m_smoothing);
    bar->addWidget(m_smoothingValue);
    bar->addSpacing(16);
    bar->addWidget(new QLabel(tr("X axis"), this));
    bar->addWidget(m_xAxis);
    bar->addStretch(1);
    bar->addWidget(add);

    auto* content = new QWidget(this);
    m_grid = new QGridLayout(content);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(6);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(content);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(scroll, 1);

    for (const PanelSpec& spec : m_group.panels) insertPanel(spec);
    for (const QStringList& keys : AppSettings::userPanels(m_group.id)) {
        PanelSpec spec = PanelSpec::ofKeys(QString(), keys);
        spec.userAdded = true;
        insertPanel(spec);
    }
    layoutPanels();

    connect(m_smoothing, &QSlider::valueChanged, this, [this](int v) {
        const double w = double(v) / 1000.0;
        m_smoothingValue->setText(QString::number(w, 'f', 3));
        for (DashboardPanel* p : std::as_const(m_panels)) p->setSmoothing(w);
        m_saveSmoothing.start();
    });
    // Saved once the slider rests: writing the settings file on every step of a drag would cost
    // each redraw a file write.
    m_saveSmoothing.setSingleShot(true);
    m_saveSmoothing.setInterval(kSaveSmoothingDelayMs);
    connect(&m_saveSmoothing, &QTimer::timeout, this,
            [this] { AppSettings::setSmoothing(m_group.id, smoothing()); });
    connect(m_xAxis, &QComboBox::currentIndexChanged, this, [this](int index) {
        for (DashboardPanel* p : std::as_const(m_panels))
            p->setXAxisMode(index == 1 ? XAxisMode::WallTime : XAxisMode::Step);
        AppSettings::setXAxisIsWallTime(m_group.id, index == 1);
    });
    connect(add, &QPushButton::clicked, this, &PlotGroupView::chooseAndAddPanel);
    connect(&m_cache, &SeriesCache::changed, this, [this] {
        for (DashboardPanel* p : std::as_const(m_panels)) p->markDirty();
    });
    setSmoothing(AppSettings::smoothing(m_group.id));
    setWallTimeAxis(AppSettings::xAxisIsWallTime(m_group.id));
    m_smoothingValue->setText(QString::number(smoothing(), 'f', 3));
}

PlotGroupView::~PlotGroupView() {
    if (m_saveSmoothing.isActive()) AppSettings::setSmoothing(m_group.id, smoothing());
}

double PlotGroupView::smoothing() const { return double(m_smoothing->value()) / 1000.0; }

void PlotGroupView::setSmoothing(double weight) {
    m_smoothing->setValue(int(std::lround(std::clamp(weight, 0.0, 0.999) * 1000.0)));
    for (DashboardPanel* p : std::as_const(m_panels)) p->setSmoothing(smoothing());
}

void PlotGroupView::setWallTimeAxis(bool wallTime) { m_xAxis->setCurrentIndex(wallTime ? 1 : 0); }

void PlotGroupView::setRuns(const QList<qint64>& runs) {
    setRunGroups(SeedGroups::eachAlone(runs));
}

void PlotGroupView::setRunGroups(const QList<QList<qint64>>& groups) {
    m_groups = groups;
    m_runs.clear();
    for (const QList<qint64>& group : groups) m_runs += group;
    for (DashboardPanel* p : std::as_const(m_panels)) p->setRunGroups(groups);
}

void PlotGroupView::showRun(qint64 runId) { setRuns(runId == 0 ? QList<qint64>{} : QList<qint64>{runId}); }

DashboardPanel* PlotGroupView::insertPanel(const PanelSpec& spec) {
    DashboardPanel* panel = spec.histogramKey.isEmpty()
                                ? static_cast<DashboardPanel*>(new PlotPanel(m_cache, spec, this))
                                : new HeatmapPanel(m_cache, spec, this);
    panel->setSmoothing(smoothing());
    panel->setXAxisMode(m_xAxis->currentIndex() == 1 ? XAxisMode::WallTime : XAxisMode::Step);
    panel->setRunGroups(m_groups);
    connect(panel, &DashboardPanel::removeRequested, this, [this, panel] { removePanel(panel); });
    connect(panel, &DashboardPanel::specChanged, this, [this] { saveUserPanels(); });
    m_panels.append(panel);
    return panel;
}

DashboardPanel* PlotGroupView::addPanel(const QStringList& keys) {
    PanelSpec spec = PanelSpec::ofKeys(QString(), keys);
    spec.userAdded = true;
    DashboardPanel* panel = insertPanel(spec);
    layoutPanels();
    saveUserPanels();
    return panel;
}

void PlotGroupView::removePanel(DashboardPanel* panel) {
    m_panels.removeOne(panel);
    panel->deleteLater();
    layoutPanels();
    saveUserPanels();
}

void PlotGroupView::saveUserPanels() const {
    QList<QStringList> user;
    for (DashboardPanel* p : m_panels)
        if (p->spec().userAdded) user.append(p->spec().keys());
    AppSettings::setUserPanels(m_group.id, user);
}

void PlotGroupView::layoutPanels() {
    for (DashboardPanel* p : std::as_const(m_panels)) m_grid->removeWidget(p);
    for (int i = 0; i < m_panels.size(); ++i) m_grid->addWidget(m_panels[i], i / kColumns, i % kColumns);
    for (int r = 0; r < m_grid->rowCount(); ++r) m_grid->setRowStretch(r, 1);
    for (int c = 0; c < kColumns; ++c) m_grid->setColumnStretch(c, 1);
}

void PlotGroupView::chooseAndAddPanel() {
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Add panel"));
    auto* filter = new QLineEdit(&dialog);
    filter->setPlaceholderText(tr("Filter metrics"));
    auto* list = new QListWidget(&dialog);
    QStringList keys;
    for (qint64 run : std::as_const(m_runs))
        for (const QString& k : m_cache.keys(run))
            if (!keys.contains(k)) keys.append(k);
    keys.sort();
    for (const QString& k : keys) {
        auto* item = new QListWidgetItem(k, list);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
    connect(filter, &QLineEdit::textChanged, list, [list](const QString& text) {
        for (int i = 0; i < list->count(); ++i)
            list->item(i)->setHidden(!list->item(i)->text().contains(text, Qt::CaseInsensitive));
    });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(&dialog);
    layout->addWidget(new QLabel(tr("Metrics to draw in the new panel:"), &dialog));
    layout->addWidget(filter);
    layout->addWidget(list, 1);
    layout->addWidget(buttons);
    dialog.resize(360, 480);
    if (dialog.exec() != QDialog::Accepted) return;
    QStringList chosen;
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->checkState() == Qt::Checked) chosen.append(list->item(i)->text());
    if (!chosen.isEmpty()) addPanel(chosen);
}

void PlotGroupView::redrawAllNow() {
    for (DashboardPanel* p : std::as_const(m_panels)) p->redrawNow();
}

}  // namespace sage::ui

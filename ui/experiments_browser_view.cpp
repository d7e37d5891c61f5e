#include "experiments_browser_view.h"

#include <QApplication>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "experiments_model.h"
#include "store/run_store.h"

namespace sage::ui {

ExperimentsBrowserView::ExperimentsBrowserView(RunStore& store, QWidget* parent)
    : QWidget(parent),
      m_store(store),
      m_experiments(new QListWidget(this)),
      m_search(new QLineEdit(this)),
      m_metrics(new QLineEdit(this)),
      m_showDeleted(new QCheckBox(tr("Show deleted"), this)),
      m_model(new ExperimentsModel(store, this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_table(new QTableView(this)) {
    setObjectName(QStringLiteral("experimentsBrowser"));
    m_experiments->setObjectName(QStringLiteral("experimentList"));
    m_experiments->setToolTip(tr("Experiments; double-click to rename"));
    m_search->setObjectName(QStringLiteral("experimentSearch"));
    m_search->setPlaceholderText(tr("Search runs (any column)"));
    m_search->setClearButtonEnabled(true);
    m_metrics->setObjectName(QStringLiteral("experimentMetrics"));
    m_metrics->setText(QStringLiteral("reward, slate/entropy_mean, eval/cold_recall@10"));
    m_metrics->setToolTip(tr("Metrics whose final and best values to show, comma-separated"));
    m_showDeleted->setToolTip(tr("List soft-deleted runs too, so they can be restored or purged"));

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_table->setObjectName(QStringLiteral("experimentTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ExperimentsModel::IdColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(20);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ExperimentsModel::NotesColumn,
                                                      QHeaderView::Stretch);

    const auto button = [this](const QString& text, const QString& tip, const QString& key) {
        auto* b = new QPushButton(text, this);
        b->setToolTip(tip + (key.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(key)));
        if (!key.isEmpty()) b->setShortcut(QKeySequence(key));
        return b;
    };
    auto* rename = button(tr("Rename…"), tr("Rename the selected run"), QStringLiteral("F2"));
    auto* remove = button(tr("Delete"), tr("Move the selected runs to the bin (soft delete)"),
                          QStringLiteral("Del"));
    auto* restore = button(tr("Restore"), tr("Bring the selected deleted runs back"), QString());
    auto* fromConfig = button(tr("New run from configuration"),
                              tr("Load the selected run's configuration into the Configuration form, "
                                 "to change it and start a new run"),
                              QStringLiteral("Ctrl+Shift+N"));
    auto* purge = button(tr("Purge deleted…"),
                         tr("Remove every deleted run and its records for good"), QString());
    rename->setObjectName(QStringLiteral("renameRunButton"));
    remove->setObjectName(QStringLiteral("deleteRunButton"));
    restore->setObjectName(QStringLiteral("restoreRunButton"));
    purge->setObjectName(QStringLiteral("purgeRunsButton"));
    fromConfig->setObjectName(QStringLiteral("newRunFromConfigButton"));

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_search, 2);
    bar->addWidget(new QLabel(tr("Metrics"), this));
    bar->addWidget(m_metrics, 2);
    bar->addWidget(m_showDeleted);
    auto* actions = new QHBoxLayout;
    actions->addWidget(rename);
    actions->addWidget(remove);
    actions->addWidget(restore);
    actions->addWidget(fromConfig);
    actions->addStretch(1);
    actions->addWidget(purge);

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(bar);
    rightLayout->addWidget(m_table, 1);
    rightLayout->addLayout(actions);
    auto* split = new QSplitter(this);
    split->addWidget(m_experiments);
    split->addWidget(right);
    split->setStretchFactor(1, 4);
    split->setSizes({200, 900});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    connect(m_search, &QLineEdit::textChanged, this, &ExperimentsBrowserView::setSearchText);
    connect(m_metrics, &QLineEdit::editingFinished, this,
            [this] { setMetrics(m_metrics->text()); });
    connect(m_showDeleted, &QCheckBox::toggled, m_model, &ExperimentsModel::setIncludeDeleted);
    connect(m_experiments, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0) return;
        m_model->setExperiment(m_experiments->item(row)->data(Qt::UserRole).toLongLong());
    });
    connect(m_experiments, &QListWidget::itemDoubleClicked, this,
            &ExperimentsBrowserView::renameExperiment);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        const QModelIndex source = m_proxy->mapToSource(index);
        if (!(m_model->flags(source) & Qt::ItemIsEditable))
            Q_EMIT runActivated(m_model->runId(source.row()));
    });
    connect(rename, &QPushButton::clicked, this, &ExperimentsBrowserView::renameSelected);
    connect(remove, &QPushButton::clicked, this, &ExperimentsBrowserView::deleteSelected);
    connect(restore, &QPushButton::clicked, this, &ExperimentsBrowserView::restoreSelected);
    connect(purge, &QPushButton::clicked, this, [this] { purgeDeleted(true); });
    connect(fromConfig, &QPushButton::clicked, this, &ExperimentsBrowserView::newRunFromSelected);

    setMetrics(m_metrics->text());
    refresh();
}

void ExperimentsBrowserView::reloadExperiments() {
    std::vector<ExperimentSummary> experiments;
    try {
        experiments = m_store.listExperiments();
    } catch (const std::exception&) {
        return;
    }
    const qint64 current = m_experiments->currentItem()
                               ? m_experiments->currentItem()->data(Qt::UserRole).toLongLong()
                               : 0;
    const QSignalBlocker block(m_experiments);
    m_experiments->clear();
    auto* all = new QListWidgetItem(tr("All experiments"), m_experiments);
    all->setData(Qt::UserRole, qint64(0));
    for (const ExperimentSummary& e : experiments) {
        auto* item = new QListWidgetItem(
            QStringLiteral("%1  (%2)").arg(QString::fromStdString(e.name)).arg(e.runCount),
            m_experiments);
        item->setData(Qt::UserRole, qint64(e.id));
        item->setData(Qt::UserRole + 1, QString::fromStdString(e.name));
        if (e.deletedCount > 0)
            item->setToolTip(tr("%1 deleted run(s) not purged yet").arg(e.deletedCount));
        if (e.id == current) m_experiments->setCurrentItem(item);
    }
    if (!m_experiments->currentItem()) m_experiments->setCurrentRow(0);
}

void ExperimentsBrowserView::refresh() {
    reloadExperiments();
    // Keep the selection across a refresh.
    const QList<qint64> selected = selectedRuns();
    m_model->refresh();
    for (qint64 id : selected) {
        const int row = m_model->rowOf(id);
        if (row >= 0)
            m_table->selectionModel()->select(m_proxy->mapFromSource(m_model->index(row, 0)),
                                              QItemSelectionModel::Select |
                                                  QItemSelectionModel::Rows);
    }
}

void ExperimentsBrowserView::refreshFromStore() {
    // Rebuilding the model under an open editor would drop the user's typing.
    // An open cell editor is a focused child of the table (state() is protected).
    const QWidget* focus = QApplication::focusWidget();
    const bool editing = focus && focus != m_table && m_table->isAncestorOf(focus);
    if (!isVisible() || editing) {
        m_stale = true;
        return;
    }
    refresh();
}

void ExperimentsBrowserView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_stale) {
        m_stale = false;
        refresh();
    }
}

void ExperimentsBrowserView::setSearchText(const QString& text) {
    if (m_search->text() != text) m_search->setText(text);
    m_proxy->setFilterFixedString(text.trimmed());
}

void ExperimentsBrowserView::setMetrics(const QString& commaSeparated) {
    if (m_metrics->text() != commaSeparated) m_metrics->setText(commaSeparated);
    QStringList keys;
    for (const QString& k : commaSeparated.split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!k.trimmed().isEmpty()) keys.append(k.trimmed());
    m_model->setMetrics(keys);
}

QList<qint64> ExperimentsBrowserView::selectedRuns() const {
    QList<qint64> ids;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows())
        ids.append(m_model->runId(m_proxy->mapToSource(index).row()));
    return ids;
}

void ExperimentsBrowserView::deleteSelected() {
    for (qint64 id : selectedRuns()) {
        try {
            m_store.softDeleteRun(id);
        } catch (const std::exception& e) {
            QMessageBox::warning(this, tr("Delete"), QString::fromUtf8(e.what()));
        }
    }
    refresh();
    Q_EMIT runsChanged();
}

void ExperimentsBrowserView::restoreSelected() {
    for (qint64 id : selectedRuns()) {
        try {
            m_store.restoreRun(id);
        } catch (const std::exception& e) {
            QMessageBox::warning(this, tr("Restore"), QString::fromUtf8(e.what()));
        }
    }
    refresh();
    Q_EMIT runsChanged();
}

void ExperimentsBrowserView::newRunFromSelected() {
    const QList<qint64> runs = selectedRuns();
    if (runs.size() != 1) {
        QMessageBox::information(this, tr("New run from configuration"),
                                 tr("Select one run: its configuration becomes the new run's."));
        return;
    }
    try {
        if (const auto run = m_store.run(runs.first())) {
            Q_EMIT configurationChosen(QString::fromStdString(run->configJson), runs.first());
            return;
        }
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("New run from configuration"), QString::fromUtf8(e.what()));
        return;
    }
    QMessageBox::warning(this, tr("New run from configuration"), tr("Run %1 is gone from the store.").arg(runs.first()));
}

void ExperimentsBrowserView::purgeDeleted(bool ask) {
    if (ask && QMessageBox::question(this, tr("Purge deleted runs"),
                              tr("Remove every deleted run and all its records for good? This "
                                 "cannot be undone.")) != QMessageBox::Yes)
        return;
    try {
        m_store.purgeDeletedRuns();
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Purge"), QString::fromUtf8(e.what()));
    }
    refresh();
    Q_EMIT runsChanged();
}

void ExperimentsBrowserView::renameSelected() {
    const QList<qint64> ids = selectedRuns();
    if (ids.size() != 1) return;
    const int row = m_model->rowOf(ids.first());
    const QModelIndex index = m_model->index(row, ExperimentsModel::NameColumn);
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename run"), tr("Name"),
                                               QLineEdit::Normal, index.data().toString(), &ok);
    if (ok && m_model->setData(index, name)) Q_EMIT runsChanged();
}

void ExperimentsBrowserView::renameExperiment() {
    QListWidgetItem* item = m_experiments->currentItem();
    if (!item || item->data(Qt::UserRole).toLongLong() == 0) return;
    bool ok = false;
    const QString name =
        QInputDialog::getText(this, tr("Rename experiment"), tr("Name"), QLineEdit::Normal,
                              item->data(Qt::UserRole + 1).toString(), &ok);
    if (!ok || name.trimmed().isEmpty()) return;
    try {
        m_store.renameExperiment(item->data(Qt::UserRole).toLongLong(), name.trimmed().toStdString());
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Rename experiment"), QString::fromUtf8(e.what()));
    }
    refresh();
    Q_EMIT runsChanged();
}

}  // namespace sage::ui

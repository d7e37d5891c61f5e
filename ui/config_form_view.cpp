#include "config_form_view.h"

#include <climits>
#include <map>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include "config/config_schema.h"

namespace sage::ui {

using nlohmann::json;

namespace {

QString sectionTitle(const std::string& section) {
    if (section.empty()) return QObject::tr("Run");
    QString title = QString::fromStdString(section);
    title[0] = title[0].toUpper();
    return title;
}

// Wide integer fields (the seed reaches 2^53) do not fit a QSpinBox.
bool fitsSpinBox(const FieldSpec& spec) {
    return spec.max > spec.min && spec.min >= double(INT_MIN) && spec.max <= double(INT_MAX);
}

QString objectNameFor(const std::string& key) {
    return QStringLiteral("field:") + QString::fromStdString(key);
}

// Real values in the editor: shortest round-tripping text, so 1e-3 stays "0.001" and 1e-8 "1e-08".
QString formatReal(double value) { return QLocale::c().toString(value, 'g', 12); }

}  // namespace

ConfigFormView::ConfigFormView(const QString& presetsDir, QWidget* parent)
    : QWidget(parent), m_presetsDir(presetsDir) {
    setObjectName(QStringLiteral("configForm"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildPresetBar());

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("configStatus"));
    m_status->setWordWrap(true);
    m_status->hide();
    layout->addWidget(m_status);

    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("configScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(buildFields());
    layout->addWidget(scroll, 1);

    for (const Field& field : m_fields) writeEditor(field);
    reloadPresets();
    revalidate();
}

QWidget* ConfigFormView::buildPresetBar() {
    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_presets = new QComboBox(bar);
    m_presets->setObjectName(QStringLiteral("presetCombo"));
    m_presets->setToolTip(tr("Configurations in %1").arg(QDir::toNativeSeparators(m_presetsDir)));
    m_presets->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_presets->setMinimumContentsLength(8);
    auto* load = new QPushButton(tr("Load…"), bar);
    load->setObjectName(QStringLiteral("loadConfigButton"));
    load->setToolTip(tr("Load a configuration from a JSON file"));
    auto* save = new QPushButton(tr("Save…"), bar);
    save->setObjectName(QStringLiteral("saveConfigButton"));
    save->setToolTip(tr("Save this configuration as JSON"));
    auto* reset = new QToolButton(bar);
    reset->setObjectName(QStringLiteral("resetConfigButton"));
    reset->setText(tr("Defaults"));
    reset->setToolTip(tr("Reset every field to its default"));
    row->addWidget(m_presets, 1);
    row->addWidget(load);
    row->addWidget(save);
    row->addWidget(reset);

    connect(m_presets, QOverload<int>::of(&QComboBox::activated), this, [this](int index) {
        const QString path = m_presets->itemData(index).toString();
        if (!path.isEmpty()) loadFile(path);
    });
    connect(load, &QPushButton::clicked, this, &ConfigFormView::chooseFileToLoad);
    connect(save, &QPushButton::clicked, this, &ConfigFormView::chooseFileToSave);
    connect(reset, &QToolButton::clicked, this, &ConfigFormView::resetToDefaults);
    return bar;
}

QWidget* ConfigFormView::buildFields() {
    auto* content = new QWidget;
    auto* column = new QVBoxLayout(content);
    column->setContentsMargins(0, 0, 4, 0);

    // Sections in the schema's order; each becomes one group box.
    std::map<std::string, QFormLayout*> forms;
    const auto& specs = ConfigSchema::instance().fields();
    m_fields.reserve(specs.size());
    for (const FieldSpec& spec : specs) {
        QFormLayout*& form = forms[spec.section()];
        if (!form) {
            auto* group = new QGroupBox(sectionTitle(spec.section()), content);
            group->setObjectName(QStringLiteral("section:") +
                                 QString::fromStdString(spec.section()));
            form = new QFormLayout(group);
            form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
            form->setRowWrapPolicy(QFormLayout::DontWrapRows);
            form->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
            column->addWidget(group);
            m_groups.push_back(group);
        }
        Field field;
        field.spec = &spec;
        field.form = form;
        m_fields.push_back(field);
    }
    for (int i = 0; i < int(m_fields.size()); ++i) {
        Field& field = m_fields[size_t(i)];
        field.row = new QWidget(content);
        auto* stack = new QVBoxLayout(field.row);
        stack->setContentsMargins(0, 0, 0, 0);
        stack->setSpacing(1);
        field.editor = createEditor(field, i);
        field.editor->setObjectName(objectNameFor(field.spec->key));
        const QString tip =
            QString::fromStdString(field.spec->help) + QStringLiteral("\n") +
            tr("Allowed: %1").arg(QString::fromStdString(field.spec->allowedText()));
        field.editor->setToolTip(tip);
        field.message = new QLabel(field.row);
        field.message->setObjectName(QStringLiteral("error:") +
                                     QString::fromStdString(field.spec->key));
        field.message->setWordWrap(true);
        field.message->setStyleSheet(QStringLiteral("color: #c03030;"));
        field.message->hide();
        if (field.spec->kind == FieldKind::Path) {
            // The path editor is a line edit with a browse button beside it.
            auto* line = new QWidget(field.row);
            auto* h = new QHBoxLayout(line);
            h->setContentsMargins(0, 0, 0, 0);
            auto* browse = new QToolButton(line);
            browse->setText(QStringLiteral("…"));
            browse->setToolTip(tr("Choose a file"));
            h->addWidget(field.editor, 1);
            h->addWidget(browse);
            connect(browse, &QToolButton::clicked, this, [this, i] { choosePath(i); });
            stack->addWidget(line);
        } else {
            stack->addWidget(field.editor);
        }
        stack->addWidget(field.message);
        auto* label = new QLabel(QString::fromStdString(field.spec->label), content);
        label->setToolTip(tip);
        label->setBuddy(field.editor);
        field.form->addRow(label, field.row);
    }

    m_otherIssues = new QLabel(content);
    m_otherIssues->setObjectName(QStringLiteral("configIssues"));
    m_otherIssues->setWordWrap(true);
    m_otherIssues->setStyleSheet(QStringLiteral("color: #c03030;"));
    m_otherIssues->hide();
    column->addWidget(m_otherIssues);
    column->addStretch(1);
    return content;
}

QWidget* ConfigFormView::createEditor(Field& field, int index) {
    const FieldSpec& spec = *field.spec;
    switch (spec.kind) {
        case FieldKind::Integer:
            if (fitsSpinBox(spec)) {
                auto* spin = new QSpinBox;
                spin->setRange(int(spec.min), int(spec.max));
                spin->setAccelerated(true);
                connect(spin, QOverload<int>::of(&QSpinBox::valueChanged), this,
                        [this, index] { onEdited(index); });
                return spin;
            }
            break;  // a line edit, below
        case FieldKind::Boolean: {
            auto* box = new QCheckBox;
            connect(box, &QCheckBox::toggled, this, [this, index] { onEdited(index); });
            return box;
        }
        case FieldKind::Choice: {
            auto* combo = new QComboBox;
            for (const std::string& choice : spec.choices)
                combo->addItem(QString::fromStdString(choice));
            connect(combo, &QComboBox::currentTextChanged, this,
                    [this, index] { onEdited(index); });
            return combo;
        }
        case FieldKind::Real:
        case FieldKind::Text:
        case FieldKind::Path:
            break;
    }
    // Reals are typed as text so that 1e-3 and 0.001 both work, and so are wide integers.
    auto* edit = new QLineEdit;
    if (spec.kind == FieldKind::Real || spec.kind == FieldKind::Integer)
        edit->setPlaceholderText(QString::fromStdString(spec.allowedText()));
    connect(edit, &QLineEdit::textChanged, this, [this, index] { onEdited(index); });
    return edit;
}

void ConfigFormView::writeEditor(const Field& field) {
    const json value = field.spec->get(m_config);
    const QSignalBlocker block(field.editor);
    if (auto* spin = qobject_cast<QSpinBox*>(field.editor)) {
        spin->setValue(value.get<int>());
    } else if (auto* box = qobject_cast<QCheckBox*>(field.editor)) {
        box->setChecked(value.get<bool>());
    } else if (auto* combo = qobject_cast<QComboBox*>(field.editor)) {
        combo->setCurrentText(QString::fromStdString(value.get<std::string>()));
    } else if (auto* edit = qobject_cast<QLineEdit*>(field.editor)) {
        if (value.is_string())
            edit->setText(QString::fromStdString(value.get<std::string>()));
        else if (value.is_number_integer())
            edit->setText(QString::number(value.get<long long>()));
        else
            edit->setText(formatReal(value.get<double>()));
    }
}

bool ConfigFormView::readEditor(const Field& field, json& value, QString& error) const {
    if (auto* spin = qobject_cast<QSpinBox*>(field.editor)) {
        value = spin->value();
    } else if (auto* box = qobject_cast<QCheckBox*>(field.editor)) {
        value = box->isChecked();
    } else if (auto* combo = qobject_cast<QComboBox*>(field.editor)) {
        value = combo->currentText().toStdString();
    } else if (auto* edit = qobject_cast<QLineEdit*>(field.editor)) {
        const QString text = edit->text().trimmed();
        bool ok = true;
        switch (field.spec->kind) {
            case FieldKind::Integer:
                value = QLocale::c().toLongLong(text, &ok);
                break;
            case FieldKind::Real:
                value = QLocale::c().toDouble(text, &ok);
                break;
            default:
                value = edit->text().toStdString();
        }
        if (!ok) {
            error = tr("“%1” is not a number: expected %2")
                        .arg(text, QString::fromStdString(field.spec->allowedText()));
            return false;
        }
    }
    return true;
}

void ConfigFormView::onEdited(int index) {
    Field& field = m_fields[size_t(index)];
    json value;
    field.parseError.clear();
    if (!readEditor(field, value, field.parseError)) {
        revalidate();
        return;
    }
    // Out-of-range values are still set: validate() then names them under the field, and the
    // config stays what the form shows.
    field.spec->set(m_config, value);
    m_status->hide();
    revalidate();
    Q_EMIT configChanged();
}

void ConfigFormView::revalidate() {
    const std::vector<ConfigIssue> issues = ConfigSchema::instance().validate(m_config);
    std::map<std::string, QStringList> byKey;
    for (const ConfigIssue& issue : issues)
        byKey[issue.key].append(QString::fromStdString(issue.message));

    bool valid = issues.empty();
    for (Field& field : m_fields) {
        const bool applies = !field.spec->applies || field.spec->applies(m_config);
        field.form->setRowVisible(field.row, applies);
        QStringList messages;
        if (!field.parseError.isEmpty()) {
            messages.append(field.parseError);
            // Text that is no value at all only matters where the field is used.
            if (applies) valid = false;
        }
        auto it = byKey.find(field.spec->key);
        if (it != byKey.end()) {
            messages.append(it->second);
            byKey.erase(it);
        }
        field.message->setText(messages.join(QLatin1Char('\n')));
        field.message->setVisible(!messages.isEmpty());
    }
    // A section whose every field is hidden would be an empty frame.
    for (QGroupBox* group : m_groups) {
        bool any = false;
        for (const Field& field : m_fields)
            if (field.row->parentWidget() == group && field.form->isRowVisible(field.row))
                any = true;
        group->setVisible(any);
    }
    QStringList rest;
    for (const auto& [key, messages] : byKey)
        rest.append(QString::fromStdString(key) + QStringLiteral(": ") +
                    messages.join(QStringLiteral("; ")));
    m_otherIssues->setText(rest.join(QLatin1Char('\n')));
    m_otherIssues->setVisible(!rest.isEmpty());

    if (valid != m_valid) {
        m_valid = valid;
        Q_EMIT validityChanged(valid);
    }
}

void ConfigFormView::setConfig(const RunConfig& config) {
    m_config = config;
    for (Field& field : m_fields) {
        field.parseError.clear();
        writeEditor(field);
    }
    revalidate();
    Q_EMIT configChanged();
}

void ConfigFormView::resetToDefaults() {
    setConfig(RunConfig{});
    m_presets->setCurrentIndex(0);
    showStatus(tr("Defaults restored."), false);
}

QString ConfigFormView::fieldError(const QString& key) const {
    for (const Field& field : m_fields)
        if (QString::fromStdString(field.spec->key) == key)
            return field.message->isVisibleTo(field.row) ? field.message->text() : QString();
    return {};
}

bool ConfigFormView::isFieldShown(const QString& key) const {
    for (const Field& field : m_fields)
        if (QString::fromStdString(field.spec->key) == key)
            return field.form->isRowVisible(field.row);
    return false;
}

QWidget* ConfigFormView::editor(const QString& key) const {
    for (const Field& field : m_fields)
        if (QString::fromStdString(field.spec->key) == key) return field.editor;
    return nullptr;
}

void ConfigFormView::reloadPresets() {
    const QSignalBlocker block(m_presets);
    m_presets->clear();
    m_presets->addItem(tr("Presets…"));
    const QFileInfoList files =
        QDir(m_presetsDir).entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QFileInfo& file : files)
        m_presets->addItem(file.completeBaseName(), file.filePath());
    m_presets->setEnabled(!files.isEmpty());
}

bool ConfigFormView::loadFile(const QString& path) {
    return loadFrom(QFileInfo(path).fileName(), [&] { return loadConfigFile(path.toStdString()); });
}

bool ConfigFormView::loadRunConfiguration(const QString& configJson, qint64 runId) {
    const QString source = tr("the configuration of run %1").arg(runId);
    return loadFrom(source, [&] { return configFromJsonText(configJson.toStdString(), source.toStdString()); });
}

bool ConfigFormView::loadFrom(const QString& source, const std::function<RunConfig()>& read) {
    try {
        setConfig(read());
    } catch (const std::exception& e) {
        // ConfigError lists every bad field, one per line; the form keeps what it had.
        showStatus(tr("Could not load %1:\n%2").arg(source, QString::fromUtf8(e.what())), true);
        return false;
    }
    showStatus(tr("Loaded %1.").arg(source), false);
    return true;
}

bool ConfigFormView::saveFile(const QString& path) {
    if (!m_valid) {
        showStatus(tr("Fix the fields marked in red before saving."), true);
        return false;
    }
    try {
        saveConfigFile(m_config, path.toStdString());
    } catch (const std::exception& e) {
        showStatus(tr("Could not save %1: %2").arg(path, QString::fromUtf8(e.what())), true);
        return false;
    }
    showStatus(tr("Saved %1.").arg(QFileInfo(path).fileName()), false);
    return true;
}

void ConfigFormView::showStatus(const QString& text, bool error) {
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c03030;") : QString());
    m_status->show();
}

void ConfigFormView::chooseFileToLoad() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Load configuration"), m_presetsDir,
                                                      tr("JSON configurations (*.json)"));
    if (!path.isEmpty()) loadFile(path);
}

void ConfigFormView::chooseFileToSave() {
    const QString suggested = QString::fromStdString(m_config.name) + QStringLiteral(".json");
    QString path = QFileDialog::getSaveFileName(this, tr("Save configuration"), suggested,
                                                tr("JSON configurations (*.json)"));
    if (path.isEmpty()) return;
    if (!path.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive))
        path += QStringLiteral(".json");
    saveFile(path);
}

void ConfigFormView::choosePath(int index) {
    auto* edit = qobject_cast<QLineEdit*>(m_fields[size_t(index)].editor);
    if (!edit) return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a data file"), edit->text());
    if (!path.isEmpty()) edit->setText(path);  // textChanged applies it
}

}  // namespace sage::ui

#pragma once
#include <functional>
#include <vector>

#include <QString>
#include <QWidget>

#include <nlohmann/json_fwd.hpp>

#include "config/run_config.h"

class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;

namespace sage {
struct FieldSpec;
}

namespace sage::ui {

/// The run configuration as a form generated from ConfigSchema: one editor per field, grouped by
/// section, shown only where the field applies, with the schema's own messages under any field
/// that is out of range. Presets, Load JSON… and Save JSON… sit on top.
class ConfigFormView : public QWidget {
    Q_OBJECT
public:
    /// `presetsDir` holds *.json configurations listed in the presets combo (may be empty).
    explicit ConfigFormView(const QString& presetsDir, QWidget* parent = nullptr);

    /// The last valid value of every field (an editor holding bad text leaves its field as it was).
    RunConfig config() const { return m_config; }
    void setConfig(const RunConfig& config);
    /// No editor holds unparsable text and ConfigSchema::validate() finds nothing.
    bool isValid() const { return m_valid; }

    /// For tests and tooling: the message shown under a field (empty when none), whether the
    /// field is shown, and its editor.
    QString fieldError(const QString& key) const;
    bool isFieldShown(const QString& key) const;
    QWidget* editor(const QString& key) const;

public Q_SLOTS:
    void reloadPresets();
    /// Loads a JSON configuration; on failure the form keeps its values and shows why.
    bool loadFile(const QString& path);
    /// Loads a stored run's configuration JSON ("new run from this run's configuration").
    bool loadRunConfiguration(const QString& configJson, qint64 runId);
    bool saveFile(const QString& path);
    void resetToDefaults();

Q_SIGNALS:
    void configChanged();
    void validityChanged(bool valid);

private:
    struct Field {
        const FieldSpec* spec = nullptr;
        QWidget* editor = nullptr;    // the widget the user types into
        QWidget* row = nullptr;       // editor + message, the form row's field
        QLabel* message = nullptr;    // red, under the editor
        QFormLayout* form = nullptr;  // the section's layout
        QString parseError;           // set while the editor's text is no value at all
    };

    QWidget* buildPresetBar();
    QWidget* buildFields();
    QWidget* createEditor(Field& field, int index);
    void writeEditor(const Field& field);
    /// The editor's value as JSON, or a message when the text is not a value of the field's kind.
    bool readEditor(const Field& field, nlohmann::json& value, QString& error) const;
    void onEdited(int index);
    void revalidate();
    void showStatus(const QString& text, bool error);
    /// Shows `read`'s configuration, or on failure keeps the form's values and says why.
    bool loadFrom(const QString& source, const std::function<RunConfig()>& read);
    void chooseFileToLoad();
    void chooseFileToSave();
    void choosePath(int index);

    QString m_presetsDir;
    RunConfig m_config;
    std::vector<Field> m_fields;
    std::vector<QGroupBox*> m_groups;
    QComboBox* m_presets = nullptr;
    QLabel* m_status = nullptr;       // load/save outcome
    QLabel* m_otherIssues = nullptr;  // issues for keys without an editor
    bool m_valid = true;
};

}  // namespace sage::ui

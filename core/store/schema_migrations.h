#pragma once
#include <cstdint>
#include <vector>

namespace SQLite {
class Database;
}

namespace sage {

/// Marks a SQLite file as a SAGE run store (PRAGMA application_id, "SAGE" in ASCII), so that an
/// unrelated SQLite file is refused instead of migrated.
constexpr int32_t kStoreApplicationId = 0x53414745;

/// One step of the store schema: `apply` brings a file at `version - 1` to `version`.
struct SchemaMigration {
    int version;
    const char* summary;
    void (*apply)(SQLite::Database& db);
};

/// Every step in order; step i has version i + 1, so the last version is the list's size.
const std::vector<SchemaMigration>& schemaMigrations();

/// The version the last migration produces (equals RunStore::kSchemaVersion).
int latestSchemaVersion();

/// PRAGMA user_version of the file.
int readSchemaVersion(SQLite::Database& db);

/// Applies, in order, every step above the file's version up to `targetVersion`; each step runs in
/// its own IMMEDIATE transaction together with its user_version bump, so a failing step leaves the
/// file at the previous version. Tests use a lower target to build files of older versions.
/// Returns how many steps were applied. Throws StoreError naming the file and the failed step.
int migrateSchema(SQLite::Database& db, int targetVersion);

}  // namespace sage

// backup: the controller's database copied whole while it serves, and put back while it
// does not (`patchbay-controller backup FILE`, `restore FILE`; docs/backup.md).
//
// SQLite's online backup API copies one consistent snapshot: a single read transaction,
// which in WAL mode never blocks the controller's writers. Restore checks the file, makes
// the restored database beside the live one, and copies it over the live one in one
// write transaction, so a failure anywhere before that leaves the live one as it was.
// It also moves every zone's serial forward: agents and secondaries hold serials newer
// than the backup's, and an older serial is one they rightly ignore (RFC 1982).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "result.h"

namespace patchbay {

// What a database holds, as the commands print it.
struct DatabaseFacts {
    int64_t zones = 0;
    int64_t tuples = 0;
    int64_t last_change = 0;     // the newest change-log id, 0 for none
    int64_t last_change_ms = 0;  // when it was made (unix ms), 0 for none
};

// "3 zones, 12 tuples, last change #57 at 2026-12-05T18:50:01Z"
std::string facts_text(const DatabaseFacts& facts);

struct BackupDone {
    std::string file;
    DatabaseFacts facts;
};

// Copies the database at `database` to `file` (mode 0600, replaced atomically: a reader
// of `file` sees the old or the new backup, never a torn one). The copy is a standalone
// single-file database (no -wal beside it). Errors: not_found when `database` is missing.
Result<BackupDone> backup_database(const std::string& database, const std::string& file);

struct RestoredZone {
    std::string zone;
    uint32_t backup_serial = 0;
    uint32_t serial = 0;  // what it serves from now on
};

struct RestoreDone {
    DatabaseFacts facts;  // of the backup
    std::vector<RestoredZone> zones;
};

struct RestoreOptions {
    // How far a zone's serial moves when the live database does not know the zone (lost,
    // or the zone removed since the backup): past every change made after the backup, as
    // long as there were fewer than this many.
    uint32_t serial_step = 1000000;
    std::string author = "restore";
};

// Replaces the database of `state_dir` with the backup `file`. Takes the state
// directory's lock, so it refuses while a controller runs there. Errors name what is
// wrong with `file` (not SQLite, damaged, not a patchbay database) and change nothing.
Result<RestoreDone> restore_database(const std::string& state_dir, const std::string& file,
                                     const RestoreOptions& options);

// The serial each restored zone starts at: one past the newer (RFC 1982) of its serial in
// the backup and in the live database; `step` past the backup's when the live database
// does not have the zone. Never 0 (the serial wraps from 2^32-1 to 1, as on every bump).
std::map<std::string, uint32_t> restored_serials(const std::map<std::string, uint32_t>& backup,
                                                 const std::map<std::string, uint32_t>& live, uint32_t step);

}  // namespace patchbay

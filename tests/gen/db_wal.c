/* AddressBook.sqlitedb in WAL mode, as a live database is backed up: the main
 * file holds 5 people, and its -wal holds two more committed transactions
 * (one person with one phone number each) that a reader sees only when it
 * applies the WAL. The main file, -wal and -shm are copied while the
 * connection is still open (closing it would checkpoint).
 *
 * SQLite draws the WAL salts from its PRNG, which it seeds from the default
 * VFS's xRandomness. For byte-identical output the default VFS is, while the
 * database is built, a copy of the real one whose xRandomness returns seeded
 * bytes; the database itself is opened with the real VFS. */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

struct fixed_vfs {
	sqlite3_vfs vfs; /* first member: SQLite hands &vfs back */
	sqlite3_vfs *real;
	unsigned char bytes[64]; /* SQLite seeds its PRNG with 44 bytes */
};

/* property 3 phone, 4 email; label = rowid in ABMultiValueLabel. */
static const char contacts_sql[] =
    "CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT,"
    " Organization TEXT, CreationDate INTEGER, ModificationDate INTEGER);"
    "CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER,"
    " property INTEGER, identifier INTEGER, label INTEGER, value TEXT);"
    "CREATE TABLE ABMultiValueLabel (value TEXT);"
    "INSERT INTO ABMultiValueLabel VALUES ('_$!<Mobile>!$_'),('_$!<Home>!$_'),"
    "('_$!<Work>!$_');"
    "INSERT INTO ABPerson VALUES"
    " (1,'Bob','Example',NULL,:b-34560000,:b-864000),"
    " (2,'Carol','Sample','Example Corp',:b-34473600,:b-777600),"
    " (3,'Alice','Müller',NULL,:b-34387200,:b-691200),"
    " (4,'José','García',NULL,:b-34300800,:b-604800),"
    " (5,NULL,NULL,'Acme Pizza',:b-34214400,:b-518400);"
    "INSERT INTO ABMultiValue VALUES"
    " (1,1,3,0,1,'+15555550101'), (2,1,4,1,2,'bob@example.com'),"
    " (3,2,3,0,1,'+15555550102'), (4,2,4,1,3,'carol@example.com'),"
    " (5,3,4,0,2,'alice@example.com'), (6,4,3,0,1,'+447700900123'),"
    " (7,4,4,1,2,'jose@example.org'), (8,5,3,0,3,'+15555550199');";

/* The two transactions that stay in the WAL. */
static const char wal_person6[] =
    "INSERT INTO ABPerson VALUES (6,'Dana','Lee',NULL,:b-7200,:b-7200);"
    "INSERT INTO ABMultiValue VALUES (9,6,3,0,1,'+15555550106');";
static const char wal_person7[] =
    "INSERT INTO ABPerson VALUES (7,'Zoë','Nakamura',NULL,:b-3600,:b-3600);"
    "INSERT INTO ABMultiValue VALUES (10,7,3,0,3,'+81 90-1234-5678');";

static int fixed_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	const struct fixed_vfs *f = (const struct fixed_vfs *)vfs;
	size_t len = n > 0 ? (size_t)n : 0;

	memset(out, 0, len);
	memcpy(out, f->bytes, len < sizeof(f->bytes) ? len : sizeof(f->bytes));
	return n;
}

/* Makes a seeded copy of the default VFS the default and resets the PRNG so
 * that its next use seeds from it. */
static int fixed_vfs_on(struct fixed_vfs *f, uint64_t seed)
{
	struct gen_rng rng;
	int rc;

	memset(f, 0, sizeof(*f));
	f->real = sqlite3_vfs_find(NULL);
	if (!f->real)
		return gen_err("sqlite: no default VFS");
	if (gen_rng_open(&rng, seed, "sqlite-prng") < 0)
		return -1;
	rc = gen_rng_bytes(&rng, f->bytes, sizeof(f->bytes));
	gen_rng_close(&rng);
	if (rc < 0)
		return -1;
	f->vfs = *f->real;
	f->vfs.pNext = NULL;
	f->vfs.zName = "ifk-genbackup-prng";
	f->vfs.xRandomness = fixed_randomness;
	if (sqlite3_vfs_register(&f->vfs, 1) != SQLITE_OK)
		return gen_err("sqlite: cannot register a VFS");
	sqlite3_randomness(0, NULL);
	return 0;
}

static void fixed_vfs_off(struct fixed_vfs *f)
{
	sqlite3_vfs_register(f->real, 1);
	sqlite3_vfs_unregister(&f->vfs);
	sqlite3_randomness(0, NULL);
}

static int in_transaction(sqlite3 *db, const char *script)
{
	struct gen_sql_param b = {":b", GEN_BASE_COCOA, NULL, 0};
	int rc = gen_sql_run(db, "BEGIN;", NULL, 0);

	if (rc == 0)
		rc = gen_sql_run(db, script, &b, 1);
	if (rc == 0)
		rc = gen_sql_run(db, "COMMIT;", NULL, 0);
	return rc;
}

static int fill(sqlite3 *db)
{
	if (gen_sql_run(db, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;", NULL, 0) < 0 ||
	    in_transaction(db, contacts_sql) < 0)
		return -1;
	if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) !=
	    SQLITE_OK)
		return gen_err("sqlite checkpoint: %s", sqlite3_errmsg(db));
	if (in_transaction(db, wal_person6) < 0 || in_transaction(db, wal_person7) < 0)
		return -1;
	return 0;
}

/* Copies build, build-wal and build-shm to path, path-wal and path-shm. */
static int copy_three(const char *build, const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char *src = NULL, *dst = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		if (asprintf(&src, "%s%s", build, suffix[i]) < 0) {
			src = NULL;
			return gen_oom();
		}
		if (asprintf(&dst, "%s%s", path, suffix[i]) < 0) {
			dst = NULL;
			rc = gen_oom();
		} else {
			rc = gen_store_copy(src, dst, NULL);
		}
		free(src);
		free(dst);
		src = dst = NULL;
	}
	return rc;
}

int gen_db_addressbook(const char *path, uint64_t seed)
{
	struct fixed_vfs f;
	sqlite3 *db = NULL;
	char *build = NULL;
	int rc = -1;

	if (asprintf(&build, "%s.build", path) < 0)
		return gen_oom();
	if (fixed_vfs_on(&f, seed) < 0) {
		free(build);
		return -1;
	}
	if (sqlite3_open_v2(build, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                    f.real->zName) != SQLITE_OK) {
		gen_err("cannot create %s: %s", build, db ? sqlite3_errmsg(db) : "no memory");
		goto out;
	}
	if (fill(db) == 0)
		rc = copy_three(build, path);
out:
	rc = gen_sql_close(db, rc);
	fixed_vfs_off(&f);
	free(build);
	return rc;
}

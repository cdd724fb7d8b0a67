/* Photos.sqlite (CameraRollDomain), Calendar.sqlitedb and voicemail.db
 * (HomeDomain). Fixed content; :b is the base date in Cocoa seconds, :u in
 * Unix seconds. Layouts follow real iOS databases, reduced to the columns
 * a parser reads. */
#include "gen.h"

/* iOS 14+ layout (ZASSET, formerly ZGENERICASSET). ZLATITUDE/ZLONGITUDE
 * -180.0 means no location; ZKIND 0 photo, 1 video; dates Cocoa seconds. */
static const char photos_sql[] =
    "CREATE TABLE ZASSET (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZFAVORITE INTEGER, ZHIDDEN INTEGER, ZKIND INTEGER, ZKINDSUBTYPE INTEGER,"
    " ZORIENTATION INTEGER, ZTRASHEDSTATE INTEGER, ZHEIGHT INTEGER, ZWIDTH INTEGER,"
    " ZADDITIONALATTRIBUTES INTEGER, ZADDEDDATE TIMESTAMP, ZDATECREATED TIMESTAMP,"
    " ZMODIFICATIONDATE TIMESTAMP, ZTRASHEDDATE TIMESTAMP, ZDURATION FLOAT,"
    " ZLATITUDE FLOAT, ZLONGITUDE FLOAT, ZDIRECTORY VARCHAR, ZFILENAME VARCHAR,"
    " ZUNIFORMTYPEIDENTIFIER VARCHAR, ZUUID VARCHAR);"
    "CREATE TABLE ZADDITIONALASSETATTRIBUTES (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER,"
    " Z_OPT INTEGER, ZORIGINALFILESIZE INTEGER, ZORIGINALHEIGHT INTEGER,"
    " ZORIGINALWIDTH INTEGER, ZTIMEZONEOFFSET INTEGER, ZASSET INTEGER,"
    " ZORIGINALFILENAME VARCHAR, ZTIMEZONENAME VARCHAR);"
    "CREATE INDEX ZADDITIONALASSETATTRIBUTES_ZASSET_INDEX ON"
    " ZADDITIONALASSETATTRIBUTES (ZASSET);"
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER,"
    " Z_MAX INTEGER);"
    "INSERT INTO Z_PRIMARYKEY VALUES (1,'AdditionalAssetAttributes',0,3),(3,'Asset',0,3);"
    "INSERT INTO ZASSET VALUES"
    " (1,3,2,0,0,0,0,1,0,3024,4032,1,:b-431990+0.5,:b-432000+0.25,:b-431990+0.5,NULL,0.0,"
    "52.520008,13.404954,'DCIM/100APPLE','IMG_0001.JPG','public.jpeg',"
    "'B84E8479-475C-4727-A4A4-B77AA9980897'),"
    " (2,3,2,1,0,0,0,6,0,4032,3024,2,:b-345590+0.5,:b-345600+0.75,:b-3600+0.125,NULL,0.0,"
    "48.858370,2.294481,'DCIM/100APPLE','IMG_0002.JPG','public.jpeg',"
    "'6F3C1D2E-9A8B-4C7D-8E6F-5A4B3C2D1E0F'),"
    " (3,3,2,0,0,0,0,1,0,3024,4032,3,:b-259190+0.5,:b-259200+0.5,:b-259190+0.5,NULL,0.0,"
    "-180.0,-180.0,'DCIM/100APPLE','IMG_0003.JPG','public.jpeg',"
    "'0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D');"
    "INSERT INTO ZADDITIONALASSETATTRIBUTES VALUES"
    " (1,1,1,:s1,3024,4032,7200,1,'IMG_0001.JPG','Europe/Berlin'),"
    " (2,1,1,:s2,3024,4032,7200,2,'IMG_0002.JPG','Europe/Paris'),"
    " (3,1,1,:s3,3024,4032,7200,3,'IMG_0003.JPG','Europe/Berlin');";

int gen_db_photos(const char *path, uint64_t seed)
{
	const struct gen_sql_param p[] = {
	    {":b", GEN_BASE_COCOA, NULL, 0},
	    {":s1", GEN_IMG1_SIZE, NULL, 0},
	    {":s2", GEN_IMG2_SIZE, NULL, 0},
	    {":s3", GEN_IMG3_SIZE, NULL, 0},
	};

	return gen_sql_build_params(path, photos_sql, p, sizeof(p) / sizeof(p[0]));
}

/* EventKit's own layout (plain SQLite). Dates are REAL Cocoa seconds;
 * start_tz/end_tz '_float' marks a floating (all-day) event. The base date
 * 2023-06-15T10:00:00Z is :b; 2023-06-15T00:00:00Z is :b-36000. */
static const char calendar_sql[] =
    "CREATE TABLE Store (ROWID INTEGER PRIMARY KEY, name TEXT, type INTEGER,"
    " persistent_id TEXT);"
    "CREATE TABLE Calendar (ROWID INTEGER PRIMARY KEY, store_id INTEGER, title TEXT,"
    " color TEXT, type TEXT, sharing_status INTEGER, external_id TEXT);"
    "CREATE TABLE Location (ROWID INTEGER PRIMARY KEY, title TEXT, address TEXT,"
    " latitude INTEGER, longitude INTEGER, item_owner_id INTEGER);"
    "CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY, summary TEXT, description TEXT,"
    " start_date REAL, start_tz TEXT, end_date REAL, end_tz TEXT, all_day INTEGER,"
    " calendar_id INTEGER, location_id INTEGER, organizer_id INTEGER, status INTEGER,"
    " availability INTEGER, privacy_level INTEGER, url TEXT, creation_date REAL,"
    " last_modified REAL, conference_url TEXT, conference_url_detected TEXT,"
    " entity_type INTEGER, calendar_scale TEXT, travel_time INTEGER, junk_status INTEGER,"
    " has_attendees INTEGER);"
    "CREATE TABLE Participant (ROWID INTEGER PRIMARY KEY, entity_type INTEGER, type INTEGER,"
    " status INTEGER, pending_status INTEGER, role INTEGER, identity_id INTEGER,"
    " owner_id INTEGER, email TEXT, phone_number TEXT, is_self INTEGER);"
    "CREATE TABLE Identity (display_name TEXT, address TEXT, first_name TEXT,"
    " last_name TEXT);"
    "CREATE TABLE Recurrence (ROWID INTEGER PRIMARY KEY, frequency INTEGER,"
    " interval INTEGER, count INTEGER, end_date REAL, specifier TEXT, owner_id INTEGER);"
    "CREATE TABLE Alarm (ROWID INTEGER PRIMARY KEY, trigger_date REAL,"
    " trigger_interval INTEGER, type INTEGER, proximity INTEGER,"
    " calendaritem_owner_id INTEGER);"
    "INSERT INTO Store VALUES (1,'iCloud',2,NULL),(2,'On My iPhone',0,NULL);"
    "INSERT INTO Calendar VALUES (1,1,'Work','#1BADF8',NULL,0,NULL),"
    " (2,2,'Personal','#63DA38',NULL,0,NULL);"
    "INSERT INTO Location VALUES (1,'Smile Dental','Friedrichstraße 100, 10117 Berlin',"
    " 52.52,13.388,2);"
    "INSERT INTO CalendarItem (ROWID, summary, description, start_date, start_tz,"
    " end_date, end_tz, all_day, calendar_id, location_id, status, availability,"
    " privacy_level, url, creation_date, last_modified, entity_type, has_attendees)"
    " VALUES"
    " (1,'Team Sync','Quarterly planning',:b-72000,'America/New_York',:b-68400,"
    "'America/New_York',0,1,NULL,1,0,0,'https://example.com/meet/team-sync',"
    ":b-604800+0.5,:b-86400+0.25,2,0),"
    " (2,'Dentist appointment',NULL,:b+75600,'Europe/Berlin',:b+78300,'Europe/Berlin',"
    "0,2,1,1,0,0,NULL,:b-1209600+0.75,:b-1209600+0.75,2,0),"
    " (3,'Weekend Trip 🏕',NULL,:b-36000+172800,'_float',:b-36000+259200,'_float',1,2,"
    "NULL,1,1,0,NULL,:b-432000,:b-432000,2,0);"
    "INSERT INTO Alarm VALUES (1,NULL,-3600,0,0,2);";

int gen_db_calendar(const char *path, uint64_t seed)
{
	return gen_sql_build(path, calendar_sql);
}

/* The iOS voicemail.db layout. date and expiration are Unix seconds,
 * trashed_date Cocoa seconds (0 when not deleted); duration in seconds.
 * Voicemail N's audio is Library/Voicemail/N.amr. */
static const char voicemail_sql[] =
    "CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));"
    "CREATE TABLE voicemail (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, remote_uid INTEGER,"
    " date INTEGER, token TEXT, sender TEXT, callback_num TEXT, duration INTEGER,"
    " expiration INTEGER, trashed_date INTEGER, flags INTEGER);"
    "CREATE INDEX date_index on voicemail(date);"
    "CREATE INDEX remote_uid_index on voicemail(remote_uid);"
    "INSERT INTO _SqliteDatabaseProperties VALUES ('__CPRecordSequenceNumber','2');"
    "INSERT INTO voicemail VALUES"
    " (1,101,:u-93600,'Complete','+15555550101','+15555550101',3,:u-93600+2592000,0,3),"
    " (2,102,:u-10800,'Complete','+447700900123','+447700900123',2,:u-10800+2592000,"
    ":b-3600,11);";

int gen_db_voicemail(const char *path, uint64_t seed)
{
	return gen_sql_build(path, voicemail_sql);
}

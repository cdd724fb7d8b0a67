/* Accounts3.sqlite and Bookmarks.db (HomeDomain), DataUsage.sqlite
 * (WirelessDomain). Fixed content; :b is the base date in Cocoa seconds,
 * :u in Unix seconds. Layouts follow the real files in
 * ../shared/fixtures/appdb, reduced to the columns a parser reads. */
#include "gen.h"

/* Core Data: ZACCOUNT.ZACCOUNTTYPE -> ZACCOUNTTYPE.Z_PK; ZDATE Cocoa s. The
 * account types keep their real descriptions, identifiers and Z_PKs. */
static const char accounts_sql[] =
    "CREATE TABLE ZACCOUNT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZACTIVE INTEGER, ZAUTHENTICATED INTEGER, ZSUPPORTSAUTHENTICATION INTEGER,"
    " ZVISIBLE INTEGER, ZACCOUNTTYPE INTEGER, ZPARENTACCOUNT INTEGER, ZDATE TIMESTAMP,"
    " ZLASTCREDENTIALRENEWALREJECTIONDATE TIMESTAMP, ZACCOUNTDESCRIPTION VARCHAR,"
    " ZAUTHENTICATIONTYPE VARCHAR, ZCREDENTIALTYPE VARCHAR, ZIDENTIFIER VARCHAR,"
    " ZOWNINGBUNDLEID VARCHAR, ZUSERNAME VARCHAR, ZDATACLASSPROPERTIES BLOB);"
    "CREATE INDEX ZACCOUNT_ZACCOUNTTYPE_INDEX ON ZACCOUNT (ZACCOUNTTYPE);"
    "CREATE INDEX ZACCOUNT_ZPARENTACCOUNT_INDEX ON ZACCOUNT (ZPARENTACCOUNT);"
    "CREATE TABLE ZACCOUNTTYPE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZENCRYPTACCOUNTPROPERTIES INTEGER, ZOBSOLETE INTEGER, ZSUPPORTSAUTHENTICATION INTEGER,"
    " ZSUPPORTSMULTIPLEACCOUNTS INTEGER, ZVISIBILITY INTEGER,"
    " ZACCOUNTTYPEDESCRIPTION VARCHAR, ZCREDENTIALPROTECTIONPOLICY VARCHAR,"
    " ZCREDENTIALTYPE VARCHAR, ZIDENTIFIER VARCHAR, ZOWNINGBUNDLEID VARCHAR);"
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER,"
    " Z_MAX INTEGER);"
    "INSERT INTO Z_PRIMARYKEY VALUES (2,'Account',0,4),(4,'AccountType',0,42);"
    "INSERT INTO ZACCOUNTTYPE (Z_PK, Z_ENT, Z_OPT, ZSUPPORTSAUTHENTICATION,"
    " ZACCOUNTTYPEDESCRIPTION, ZCREDENTIALTYPE, ZIDENTIFIER, ZOWNINGBUNDLEID) VALUES"
    " (10,4,2,1,'iCloud','token','com.apple.account.AppleAccount','com.apple.accountsd'),"
    " (20,4,1,1,'Exchange','password','com.apple.account.Exchange','com.apple.accountsd'),"
    " (28,4,1,1,'IMAP','password','com.apple.account.IMAP','com.apple.accountsd'),"
    " (42,4,2,1,'Gmail','oauth2','com.apple.account.Google','com.apple.accountsd');"
    "INSERT INTO ZACCOUNT (Z_PK, Z_ENT, Z_OPT, ZACTIVE, ZAUTHENTICATED, ZVISIBLE,"
    " ZACCOUNTTYPE, ZPARENTACCOUNT, ZDATE, ZACCOUNTDESCRIPTION, ZIDENTIFIER,"
    " ZOWNINGBUNDLEID, ZUSERNAME) VALUES"
    " (1,2,5,1,1,1,10,NULL,:b-31536000+0.5,'iCloud',"
    "'A1B2C3D4-0001-4000-8000-00000000AC01','com.apple.purplebuddy','alice@icloud.com'),"
    " (2,2,3,1,1,1,42,NULL,:b-15552000+0.25,'Gmail',"
    "'A1B2C3D4-0002-4000-8000-00000000AC02','com.apple.Preferences',"
    "'alice.example@gmail.com'),"
    " (3,2,2,1,1,1,28,NULL,:b-7776000+0.75,'Example Mail',"
    "'A1B2C3D4-0003-4000-8000-00000000AC03','com.apple.Preferences','alice@example.com'),"
    " (4,2,2,1,0,1,20,NULL,:b-2592000,'Work Exchange',"
    "'A1B2C3D4-0004-4000-8000-00000000AC04','com.apple.Preferences',"
    "'alice.mueller@corp.example');";

int gen_db_accounts(const char *path, uint64_t seed)
{
	return gen_sql_build(path, accounts_sql);
}

/* Core Data: ZLIVEUSAGE.ZHASPROCESS -> ZPROCESS.Z_PK; byte counts FLOAT;
 * timestamps Cocoa s. Apps are named <uuid>/<bundle id>, daemons by name
 * with a NULL ZBUNDLENAME. */
static const char datausage_sql[] =
    "CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR,"
    " ZPROCNAME VARCHAR);"
    "CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZKIND INTEGER, ZMETADATA INTEGER, ZTAG INTEGER, ZHASPROCESS INTEGER,"
    " ZBILLCYCLEEND TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZWIFIIN FLOAT, ZWIFIOUT FLOAT,"
    " ZWWANIN FLOAT, ZWWANOUT FLOAT);"
    "CREATE INDEX ZLIVEUSAGE_ZHASPROCESS_INDEX ON ZLIVEUSAGE (ZHASPROCESS);"
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER,"
    " Z_MAX INTEGER);"
    "INSERT INTO Z_PRIMARYKEY VALUES (5,'LiveUsage',0,4),(7,'Process',0,3);"
    "INSERT INTO ZPROCESS VALUES"
    " (1,7,1,:b-604800+0.5,:b-3600+0.5,'com.apple.mobilesafari',"
    "'1FB47783-A2FE-47D9-B256-DF50EF44BBA4/com.apple.mobilesafari'),"
    " (2,7,1,:b-604800+0.75,:b-7200+0.25,'net.whatsapp.WhatsApp',"
    "'1FB47783-A2FE-47D9-B256-DF50EF44BBA4/net.whatsapp.WhatsApp'),"
    " (3,7,1,:b-2592000,:b-600,NULL,'mDNSResponder');"
    "INSERT INTO ZLIVEUSAGE VALUES"
    " (1,5,1,0,0,1,1,NULL,:b-86400+0.5,52428800.0,2097152.0,0.0,0.0),"
    " (2,5,1,0,0,1,1,NULL,:b-3600+0.5,0.0,0.0,10485760.0,524288.0),"
    " (3,5,1,0,0,1,2,NULL,:b-7200+0.25,1048576.0,262144.0,4194304.0,1048576.0),"
    " (4,5,1,0,0,1,3,NULL,:b-600,12345.0,6789.0,2048.0,1024.0);";

int gen_db_datausage(const char *path, uint64_t seed)
{
	return gen_sql_build(path, datausage_sql);
}

/* Plain SQLite. type 0 bookmark, 1 folder; special_id 1 is the Favorites bar
 * (BookmarksBar); parent = the folder's id (Root is 0). last_modified is
 * REAL Unix seconds (not Cocoa). folder_ancestors lists every folder's
 * ancestors. */
static const char bookmarks_sql[] =
    "CREATE TABLE bookmarks (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " special_id INTEGER DEFAULT 0, parent INTEGER, type INTEGER, title TEXT,"
    " url TEXT COLLATE NOCASE, num_children INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0,"
    " order_index INTEGER NOT NULL, external_uuid TEXT UNIQUE, read INTEGER DEFAULT NULL,"
    " last_modified REAL DEFAULT NULL, added INTEGER DEFAULT 1, deleted INTEGER DEFAULT 0,"
    " extra_attributes BLOB DEFAULT NULL, fetched_icon BOOL DEFAULT 0,"
    " dav_generation INTEGER DEFAULT 0);"
    "CREATE TABLE folder_ancestors (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " folder_id INTEGER NOT NULL, ancestor_id INTEGER NOT NULL);"
    "INSERT INTO bookmarks (id, special_id, parent, type, title, url, num_children,"
    " order_index, external_uuid, last_modified) VALUES"
    " (0,0,NULL,1,'Root',NULL,1,0,'Root',NULL),"
    " (1,1,0,1,'BookmarksBar',NULL,3,0,'BookmarksBar',NULL),"
    " (2,0,1,1,'Forensics',NULL,1,0,'0B5E2D1C-0002-4A3B-9C8D-7E6F5A4B3C02',:u-864000+0.5),"
    " (3,0,1,1,'Travel',NULL,1,1,'0B5E2D1C-0003-4A3B-9C8D-7E6F5A4B3C03',:u-777600+0.25),"
    " (4,0,1,0,'Apple','https://www.apple.com/',0,2,'0B5E2D1C-0004-4A3B-9C8D-7E6F5A4B3C04',"
    ":u-691200+0.5),"
    " (5,0,2,0,'Database File Format','https://www.sqlite.org/fileformat.html',0,0,"
    "'0B5E2D1C-0005-4A3B-9C8D-7E6F5A4B3C05',:u-604800+0.75),"
    " (6,0,3,0,'Cafés in Köln','https://example.com/k%C3%B6ln/caf%C3%A9s',0,0,"
    "'0B5E2D1C-0006-4A3B-9C8D-7E6F5A4B3C06',:u-518400);"
    "INSERT INTO folder_ancestors (folder_id, ancestor_id) VALUES"
    " (1,0),(2,1),(2,0),(3,1),(3,0);";

int gen_db_bookmarks(const char *path, uint64_t seed)
{
	return gen_sql_build(path, bookmarks_sql);
}

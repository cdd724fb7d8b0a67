/* App databases: Safari History.db (HomeDomain) and WhatsApp
 * ChatStorage.sqlite (its app group's domain). Fixed content; dates are REAL
 * Cocoa seconds. */
#include "gen.h"

static const char safari_sql[] =
    "CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " url TEXT NOT NULL UNIQUE, visit_count INTEGER NOT NULL, domain_expansion TEXT,"
    " visit_count_score INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " history_item INTEGER NOT NULL REFERENCES history_items(id) ON DELETE CASCADE,"
    " visit_time REAL NOT NULL, title TEXT, load_successful BOOLEAN NOT NULL DEFAULT 1);"
    "INSERT INTO history_items (id, url, visit_count, domain_expansion) VALUES"
    " (1,'https://www.apple.com/',2,'apple'),"
    " (2,'https://en.wikipedia.org/wiki/Forensic_science',2,'en.wikipedia'),"
    " (3,'https://example.com/search?q=caf%C3%A9',1,'example'),"
    " (4,'https://www.whatsapp.com/download',2,'whatsapp');"
    "INSERT INTO history_visits VALUES"
    " (1,1,:b-86400+0.125,'Apple',1),"
    " (2,2,:b-82800+0.25,'Forensic science - Wikipedia',1),"
    " (3,3,:b-79200+0.5,'café - Search',1),"
    " (4,1,:b-75600+0.75,'Apple',1),"
    " (5,4,:b-72000+0.125,NULL,0),"
    " (6,4,:b-71940+0.25,'Download WhatsApp',1),"
    " (7,2,:b-68400+0.5,'Forensic science - Wikipedia',1);";

int gen_db_safari(const char *path, uint64_t seed)
{
	return gen_sql_build(path, safari_sql);
}

/* ZMESSAGETYPE 0 text, 1 image (ZTEXT NULL); ZFROMJID NULL when from me. */
static const char whatsapp_sql[] =
    "CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZMESSAGECOUNTER INTEGER, ZSESSIONTYPE INTEGER, ZLASTMESSAGEDATE TIMESTAMP,"
    " ZCONTACTJID VARCHAR, ZPARTNERNAME VARCHAR);"
    "CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZISFROMME INTEGER, ZMESSAGETYPE INTEGER, ZCHATSESSION INTEGER,"
    " ZMESSAGEDATE TIMESTAMP, ZFROMJID VARCHAR, ZTEXT VARCHAR, ZTOJID VARCHAR);"
    "INSERT INTO ZWACHATSESSION VALUES"
    " (1,4,1,5,0,:b-42000+0.5,'15555550101@s.whatsapp.net','Bob Example'),"
    " (2,4,1,3,1,:b-39600+0.25,'120363012345678901@g.us','Family Group');"
    "INSERT INTO ZWAMESSAGE VALUES"
    " (1,9,1,0,0,1,:b-43200+0.5,'15555550101@s.whatsapp.net','Hi from WhatsApp',NULL),"
    " (2,9,1,1,0,1,:b-42900+0.5,NULL,'Hello Bob! 😀','15555550101@s.whatsapp.net'),"
    " (3,9,1,0,0,1,:b-42600+0.5,'15555550101@s.whatsapp.net','Are you coming tonight?',NULL),"
    " (4,9,1,0,1,1,:b-42300+0.5,'15555550101@s.whatsapp.net',NULL,NULL),"
    " (5,9,1,1,0,1,:b-42000+0.5,NULL,'Yes, see you at 8','15555550101@s.whatsapp.net'),"
    " (6,9,1,0,0,2,:b-40200+0.25,'120363012345678901@g.us','Dinner on Sunday?',NULL),"
    " (7,9,1,1,0,2,:b-39900+0.25,NULL,'Count me in','120363012345678901@g.us'),"
    " (8,9,1,0,0,2,:b-39600+0.25,'120363012345678901@g.us','Grüße aus Köln',NULL);";

int gen_db_whatsapp(const char *path, uint64_t seed)
{
	return gen_sql_build(path, whatsapp_sql);
}

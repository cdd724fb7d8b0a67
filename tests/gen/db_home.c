/* HomeDomain app databases: sms.db and CallHistory.storedata (AddressBook
 * is in db_wal.c). Fixed content, independent of the seed; dates are offsets
 * from the base date (:b, Cocoa seconds). Table layouts follow real iOS
 * databases, reduced to the columns ifk reads. */
#include <string.h>

#include "gen.h"

static const char sms_schema[] =
    "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL,"
    " service TEXT, country TEXT, uncanonicalized_id TEXT);"
    "CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,"
    " style INTEGER, chat_identifier TEXT, service_name TEXT, display_name TEXT);"
    "CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT,"
    " guid TEXT UNIQUE NOT NULL, text TEXT, attributedBody BLOB,"
    " handle_id INTEGER DEFAULT 0, service TEXT, date INTEGER, date_read INTEGER,"
    " date_delivered INTEGER, is_from_me INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0,"
    " is_delivered INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0);"
    "CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER,"
    " message_date INTEGER DEFAULT 0, PRIMARY KEY (chat_id, message_id));"
    "CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER,"
    " UNIQUE(chat_id, handle_id));"
    "CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT,"
    " guid TEXT UNIQUE NOT NULL, created_date INTEGER DEFAULT 0, filename TEXT, uti TEXT,"
    " mime_type TEXT, transfer_name TEXT, total_bytes INTEGER DEFAULT 0);"
    "CREATE TABLE message_attachment_join (message_id INTEGER, attachment_id INTEGER,"
    " UNIQUE(message_id, attachment_id));";

/* m: id, chat, handle, from me, read, attachment id, seconds from base, text.
 * Message 7 has NULL text: its text lives in attributedBody only. */
static const char sms_rows[] =
    "INSERT INTO handle VALUES (1,'+15555550101','iMessage','us','+1 555-555-0101'),"
    " (2,'+15555550102','SMS','us','(555) 555-0102'),"
    " (3,'alice@example.com','iMessage','us',NULL),"
    " (4,'+447700900123','iMessage','gb','07700 900123');"
    "INSERT INTO chat VALUES (1,'iMessage;-;+15555550101',45,'+15555550101','iMessage',NULL),"
    " (2,'SMS;-;+15555550102',45,'+15555550102','SMS',NULL),"
    " (3,'iMessage;+;chat901234567890123456',43,'chat901234567890123456','iMessage',"
    "'Weekend Trip');"
    "INSERT INTO chat_handle_join VALUES (1,1),(2,2),(3,3),(3,4);"
    "CREATE TEMP TABLE m (id, chat, handle, me, rd, att, off, txt);"
    "INSERT INTO m VALUES"
    " (1,1,1,0,1,0,-255600,'Hey, are we still on for lunch?'),"
    " (2,1,1,1,0,0,-252000,'Yes! 12:30 at the usual place'),"
    " (3,1,1,0,1,0,-248400,'Café 🚀 привет'),"
    " (4,1,1,1,0,1,-244800,'\xef\xbf\xbc'),"
    " (5,1,1,0,1,0,-241200,'Got it, thanks 👍'),"
    " (6,2,2,0,1,0,-237600,'Your verification code is 123456'),"
    " (7,2,2,0,1,0,-234000,NULL),"
    " (8,2,2,1,0,0,-230400,'Thanks'),"
    " (9,3,3,0,1,0,-226800,'Who is bringing the tent?'),"
    " (10,3,4,0,1,0,-223200,'I can bring it ⛺'),"
    " (11,3,0,1,0,2,-219600,'\xef\xbf\xbc'),"
    " (12,3,3,0,0,0,-216000,'See you Saturday! Ünïcödé ✓');"
    "INSERT INTO message SELECT id, printf('5A1E%04X-0000-4000-8000-%012X', id, id), txt,"
    " NULL, handle, CASE chat WHEN 2 THEN 'SMS' ELSE 'iMessage' END,"
    " (:b+off)*1000000000, CASE rd WHEN 1 THEN (:b+off+60)*1000000000 ELSE 0 END,"
    " CASE me WHEN 1 THEN (:b+off+2)*1000000000 ELSE 0 END, me, rd, 1, att>0"
    " FROM m ORDER BY id;"
    "UPDATE message SET attributedBody = :body WHERE ROWID = 7;"
    "INSERT INTO chat_message_join SELECT chat, id, (:b+off)*1000000000 FROM m ORDER BY id;"
    "INSERT INTO attachment VALUES"
    " (1,'" GEN_ATT1_GUID "',:b-244800,'~/" GEN_ATT_DIR "/" GEN_ATT1_GUID "/" GEN_ATT1_NAME
    "','public.jpeg','image/jpeg','" GEN_ATT1_NAME "',:s1),"
    " (2,'" GEN_ATT2_GUID "',:b-219600,'~/" GEN_ATT_DIR "/" GEN_ATT2_GUID "/" GEN_ATT2_NAME
    "','public.jpeg','image/jpeg','" GEN_ATT2_NAME "',:s2);"
    "INSERT INTO message_attachment_join SELECT id, att FROM m WHERE att > 0 ORDER BY id;";

/* A typedstream NSAttributedString holding the text, as in real sms.db. */
static const unsigned char body_head[] =
    "\x04\x0bstreamtyped\x81\xe8\x03\x84\x01\x40\x84\x84\x84\x12NSAttributedString\x00"
    "\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01\x2b";
static const unsigned char body_tail[] =
    "\x86\x84\x02iI\x01\x01\x92\x84\x84\x84\x0cNSDictionary\x00\x94\x84\x01i\x00\x86\x86";
static const char body_text[] = "Reminder: dentist appointment tomorrow at 9:00";

static int sms_body(struct gen_buf *b)
{
	size_t n = strlen(body_text);

	if (gen_buf_put(b, body_head, sizeof(body_head) - 1) < 0 || gen_buf_u8(b, (uint8_t)n) < 0 ||
	    gen_buf_put(b, body_text, n) < 0 ||
	    gen_buf_put(b, body_tail, sizeof(body_tail) - 1) < 0)
		return -1;
	b->p[b->len - sizeof(body_tail) + 1 + 6] = (uint8_t)n; /* the run length */
	return 0;
}

int gen_db_sms(const char *path, uint64_t seed)
{
	struct gen_sql_param p[] = {
	    {":b", GEN_BASE_COCOA, NULL, 0},
	    {":body", 0, NULL, 0},
	    {":s1", GEN_ATT1_SIZE, NULL, 0},
	    {":s2", GEN_ATT2_SIZE, NULL, 0},
	};
	struct gen_buf body = {0};
	sqlite3 *db = NULL;
	int rc = -1;

	if (sms_body(&body) < 0)
		goto out;
	p[1].blob = body.p;
	p[1].blob_len = body.len;
	if (gen_sql_open(path, &db) < 0)
		goto out;
	rc = gen_sql_run(db, "BEGIN;", NULL, 0);
	if (rc == 0)
		rc = gen_sql_run(db, sms_schema, NULL, 0);
	if (rc == 0)
		rc = gen_sql_run(db, sms_rows, p, sizeof(p) / sizeof(p[0]));
	if (rc == 0)
		rc = gen_sql_run(db, "COMMIT;", NULL, 0);
out:
	rc = gen_sql_close(db, rc);
	gen_buf_free(&body);
	return rc;
}

/* ZCALLTYPE 1 phone, 8 FaceTime video, 16 FaceTime audio; ZDATE Cocoa s. */
static const char calls_sql[] =
    "CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZANSWERED INTEGER, ZCALLTYPE INTEGER, ZORIGINATED INTEGER, ZDATE TIMESTAMP,"
    " ZDURATION FLOAT, ZADDRESS VARCHAR, ZISO_COUNTRY_CODE VARCHAR, ZNAME VARCHAR,"
    " ZSERVICE_PROVIDER VARCHAR, ZUNIQUE_ID VARCHAR);"
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER,"
    " Z_MAX INTEGER);"
    "INSERT INTO Z_PRIMARYKEY VALUES (2,'CallRecord',0,6);"
    "INSERT INTO ZCALLRECORD VALUES"
    " (1,2,1,1,1,1,:b-169200.75,125.0,'+15555550101','us','Bob Example',"
    "'com.apple.Telephony','CA110001-0000-4000-8000-000000000001'),"
    " (2,2,1,1,1,0,:b-165600.5,42.5,'+15555550102','us',NULL,"
    "'com.apple.Telephony','CA110002-0000-4000-8000-000000000002'),"
    " (3,2,1,0,1,0,:b-162000.25,0.0,'+15555550103','us',NULL,"
    "'com.apple.Telephony','CA110003-0000-4000-8000-000000000003'),"
    " (4,2,1,1,8,1,:b-158400.0,600.0,'alice@example.com','us','Alice Müller',"
    "'com.apple.FaceTime','CA110004-0000-4000-8000-000000000004'),"
    " (5,2,1,1,16,0,:b-154800.0,61.0,'+447700900123','gb',NULL,"
    "'com.apple.FaceTime','CA110005-0000-4000-8000-000000000005'),"
    " (6,2,1,0,1,1,:b-151200.0,0.0,'+15555550101','us','Bob Example',"
    "'com.apple.Telephony','CA110006-0000-4000-8000-000000000006');";

int gen_db_callhistory(const char *path, uint64_t seed)
{
	return gen_sql_build(path, calls_sql);
}

/* NoteStore.sqlite (AppDomainGroup-group.com.apple.notes), in the iOS 15/16
 * layout of real stores: notes, folders and the account are rows of
 * ZICCLOUDSYNCINGOBJECT told apart by Z_ENT (see Z_PRIMARYKEY); a note's
 * title is ZTITLE1, its folder ZFOLDER (whose title is ZTITLE2), its body
 * ZNOTEDATA -> ZICNOTEDATA.ZDATA. ZDATA is gzip of the note protobuf:
 * outer {1: 0, 2: document {1: 0, 2: 0, 3: note {2: text, 5: runs}}}; each
 * attribute run is {1: length in UTF-16 units, 2: paragraph style}.
 * The gzip stream uses stored (uncompressed) deflate blocks, which any
 * inflater reads; it needs no zlib. */
#include <string.h>

#include "gen.h"

#define GZIP_OS_MACOS 0x13 /* the OS byte of real note bodies */

struct note {
	const char *param; /* SQL parameter of its ZDATA */
	const char *text;  /* title line, newline, body */
};

static const struct note notes[] = {
    {":n1", "Grocery list\ncafé, 🍎 apples, crème fraîche"},
    {":n2", "Meeting notes\nDiscuss the Q3 roadmap with Carol.\nNext meeting: Friday 10:00"},
    {":n3", "Pancakes\n2 eggs, 250 g flour, 500 ml milk"},
};

#define NNOTES (sizeof(notes) / sizeof(notes[0]))

/* Z_ENT values as in a real iOS 15 store: 11 ICNote, 13 ICAccount, 14 ICFolder,
 * 17 ICNoteData. */
static const char notes_sql[] =
    "CREATE TABLE ZICCLOUDSYNCINGOBJECT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER,"
    " Z_OPT INTEGER, ZISPASSWORDPROTECTED INTEGER, ZMARKEDFORDELETION INTEGER,"
    " ZISPINNED INTEGER, ZACCOUNT4 INTEGER, ZFOLDER INTEGER, ZNOTEDATA INTEGER,"
    " ZOWNER INTEGER, ZACCOUNTTYPE INTEGER, ZFOLDERTYPE INTEGER, ZACCOUNT5 INTEGER,"
    " ZPARENT INTEGER, ZCREATIONDATE TIMESTAMP, ZCREATIONDATE1 TIMESTAMP,"
    " ZCREATIONDATE3 TIMESTAMP, ZMODIFICATIONDATE TIMESTAMP, ZMODIFICATIONDATE1 TIMESTAMP,"
    " ZIDENTIFIER VARCHAR, ZPASSWORDHINT VARCHAR, ZSNIPPET VARCHAR, ZTITLE VARCHAR,"
    " ZTITLE1 VARCHAR, ZNAME VARCHAR, ZTITLE2 VARCHAR);"
    "CREATE TABLE ZICNOTEDATA (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,"
    " ZNOTE INTEGER, ZCRYPTOINITIALIZATIONVECTOR BLOB, ZCRYPTOTAG BLOB, ZDATA BLOB);"
    "CREATE INDEX ZICNOTEDATA_ZNOTE_INDEX ON ZICNOTEDATA (ZNOTE);"
    "CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER,"
    " Z_MAX INTEGER);"
    "INSERT INTO Z_PRIMARYKEY VALUES (2,'ICCloudSyncingObject',0,6),(11,'ICNote',2,0),"
    " (12,'ICNoteContainer',2,0),(13,'ICAccount',12,0),(14,'ICFolder',12,0),"
    " (17,'ICNoteData',0,3);"
    "INSERT INTO ZICCLOUDSYNCINGOBJECT (Z_PK, Z_ENT, Z_OPT, ZISPASSWORDPROTECTED,"
    " ZMARKEDFORDELETION, ZACCOUNTTYPE, ZIDENTIFIER, ZNAME) VALUES"
    " (1,13,1,0,0,1,'4C1D2A3B-0001-4E5F-8A9B-0C1D2E3F4A01','iCloud');"
    "INSERT INTO ZICCLOUDSYNCINGOBJECT (Z_PK, Z_ENT, Z_OPT, ZISPASSWORDPROTECTED,"
    " ZMARKEDFORDELETION, ZOWNER, ZFOLDERTYPE, ZACCOUNT5, ZIDENTIFIER, ZTITLE2) VALUES"
    " (2,14,1,0,0,1,0,1,'DefaultFolder-CloudKit','Notes'),"
    " (3,14,1,0,0,1,0,1,'9B8A7C6D-0003-4E5F-8A9B-0C1D2E3F4A03','Recipes');"
    "INSERT INTO ZICCLOUDSYNCINGOBJECT (Z_PK, Z_ENT, Z_OPT, ZISPASSWORDPROTECTED,"
    " ZMARKEDFORDELETION, ZISPINNED, ZACCOUNT4, ZFOLDER, ZNOTEDATA, ZCREATIONDATE3,"
    " ZMODIFICATIONDATE1, ZIDENTIFIER, ZSNIPPET, ZTITLE1) VALUES"
    " (4,11,1,0,0,1,1,2,1,:b-259200+0.25,:b-3600+0.5,"
    "'5E6F7A8B-0004-4C5D-9E0F-1A2B3C4D5E04','café, 🍎 apples, crème fraîche','Grocery list'),"
    " (5,11,1,0,0,0,1,2,2,:b-172800+0.125,:b-86400+0.75,"
    "'5E6F7A8B-0005-4C5D-9E0F-1A2B3C4D5E05','Discuss the Q3 roadmap with Carol.',"
    "'Meeting notes'),"
    " (6,11,1,0,0,0,1,3,3,:b-604800,:b-518400,"
    "'5E6F7A8B-0006-4C5D-9E0F-1A2B3C4D5E06','2 eggs, 250 g flour, 500 ml milk','Pancakes');"
    "INSERT INTO ZICNOTEDATA (Z_PK, Z_ENT, Z_OPT, ZNOTE, ZDATA) VALUES"
    " (1,17,1,4,:n1),(2,17,1,5,:n2),(3,17,1,6,:n3);";

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t len)
{
	size_t i;
	int k;

	crc = ~crc;
	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static int put_le16(struct gen_buf *b, uint16_t v)
{
	unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};

	return gen_buf_put(b, x, sizeof(x));
}

/* gzip (RFC 1952) of in, with stored deflate blocks (RFC 1951 3.2.4). */
static int gzip_stored(const unsigned char *in, size_t len, struct gen_buf *out)
{
	static const unsigned char head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, GZIP_OS_MACOS};
	size_t off = 0, n;
	int rc = gen_buf_put(out, head, sizeof(head));

	do {
		n = len - off > 0xffff ? 0xffff : len - off;
		if (rc == 0)
			rc = gen_buf_u8(out, off + n == len ? 1 : 0);
		if (rc == 0)
			rc = put_le16(out, (uint16_t)n);
		if (rc == 0)
			rc = put_le16(out, (uint16_t)~n);
		if (rc == 0)
			rc = gen_buf_put(out, in + off, n);
		off += n;
	} while (rc == 0 && off < len);
	if (rc == 0)
		rc = gen_buf_le32(out, crc32_update(0, in, len));
	if (rc == 0)
		rc = gen_buf_le32(out, (uint32_t)len);
	return rc;
}

static int pb_varint(struct gen_buf *b, uint64_t v)
{
	while (v >= 0x80) {
		if (gen_buf_u8(b, (uint8_t)(v | 0x80)) < 0)
			return -1;
		v >>= 7;
	}
	return gen_buf_u8(b, (uint8_t)v);
}

static int pb_uint(struct gen_buf *b, unsigned field, uint64_t v)
{
	if (pb_varint(b, (uint64_t)field << 3) < 0)
		return -1;
	return pb_varint(b, v);
}

static int pb_bytes(struct gen_buf *b, unsigned field, const void *p, size_t len)
{
	if (pb_varint(b, ((uint64_t)field << 3) | 2) < 0 || pb_varint(b, len) < 0)
		return -1;
	return gen_buf_put(b, p, len);
}

/* Length of UTF-8 text in UTF-16 code units, as attribute runs count. */
static uint64_t utf16_len(const char *s, size_t len)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c & 0xc0) != 0x80)
			n += c >= 0xf0 ? 2 : 1;
	}
	return n;
}

/* A run {1: length, 2: {1: style}}; style 0 is the title, else no style. */
static int pb_run(struct gen_buf *b, uint64_t len, int title)
{
	struct gen_buf run = {0}, style = {0};
	int rc = pb_uint(&run, 1, len);

	if (rc == 0 && title)
		rc = pb_uint(&style, 1, 0);
	if (rc == 0 && title)
		rc = pb_bytes(&run, 2, style.p, style.len);
	if (rc == 0)
		rc = pb_bytes(b, 5, run.p, run.len);
	gen_buf_free(&run);
	gen_buf_free(&style);
	return rc;
}

/* note {2: text, 5: title run, 5: body run} */
static int pb_note(struct gen_buf *b, const char *text)
{
	size_t len = strlen(text);
	const char *nl = strchr(text, '\n');
	size_t title = nl ? (size_t)(nl - text) + 1 : len;
	int rc = pb_bytes(b, 2, text, len);

	if (rc == 0)
		rc = pb_run(b, utf16_len(text, title), 1);
	if (rc == 0 && title < len)
		rc = pb_run(b, utf16_len(text + title, len - title), 0);
	return rc;
}

/* outer {1: 0, 2: document {1: 0, 2: 0, 3: note}}, gzipped into out. */
static int note_body(const char *text, struct gen_buf *out)
{
	struct gen_buf note = {0}, doc = {0}, outer = {0};
	int rc = pb_note(&note, text);

	if (rc == 0)
		rc = pb_uint(&doc, 1, 0);
	if (rc == 0)
		rc = pb_uint(&doc, 2, 0);
	if (rc == 0)
		rc = pb_bytes(&doc, 3, note.p, note.len);
	if (rc == 0)
		rc = pb_uint(&outer, 1, 0);
	if (rc == 0)
		rc = pb_bytes(&outer, 2, doc.p, doc.len);
	if (rc == 0)
		rc = gzip_stored(outer.p, outer.len, out);
	gen_buf_free(&note);
	gen_buf_free(&doc);
	gen_buf_free(&outer);
	return rc;
}

int gen_db_notes(const char *path, uint64_t seed)
{
	struct gen_sql_param p[NNOTES + 1] = {{":b", GEN_BASE_COCOA, NULL, 0}};
	struct gen_buf body[NNOTES] = {{0}};
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < NNOTES; i++) {
		rc = note_body(notes[i].text, &body[i]);
		p[i + 1].name = notes[i].param;
		p[i + 1].blob = body[i].p;
		p[i + 1].blob_len = body[i].len;
	}
	if (rc == 0)
		rc = gen_sql_build_params(path, notes_sql, p, NNOTES + 1);
	for (i = 0; i < NNOTES; i++)
		gen_buf_free(&body[i]);
	return rc;
}

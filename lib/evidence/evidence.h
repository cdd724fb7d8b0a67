/* BagIt (RFC 8493) pieces: payload manifest lines, tag files, bag-info.txt.
 * The layout of an ifk bag is specified in CASE_FORMAT.md. */
#ifndef IFK_EVIDENCE_H
#define IFK_EVIDENCE_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <ifk/seal.h>
#include "core.h"

#define IFK_BAG_PAYLOAD "data"
#define IFK_BAG_MANIFEST "manifest-sha256.txt"
#define IFK_BAG_TAGMANIFEST "tagmanifest-sha256.txt"
#define IFK_BAG_INFO "bag-info.txt"
#define IFK_BAG_DECL "bagit.txt"
#define IFK_BAG_SEAL "ifk-seal.p7s"
#define IFK_BAG_RECORD "ifk-acquisition.json"
#define IFK_BAG_INCOMPLETE_SUFFIX ".incomplete"
#define IFK_BAG_DECL_TEXT "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

/* A folder that holds several backups or bags rather than being one
 * (collection.c): the folder Finder and iTunes keep one backup per device
 * in, or a case folder of bags. */
enum { IFK_COLLECT_BACKUPS = 1, IFK_COLLECT_BAGS = 2 };
/* 1 when the folder fd is a backup folder: Manifest.plist, Manifest.db or
 * Manifest.mbdb at its top. */
int ifk_is_backup_folder(int fd);
/* 1 when the folder fd is a bag: bagit.txt or ifk-acquisition.json. */
int ifk_is_bag_folder(int fd);
/* The names of the folders right under fd (no symlink followed) that are
 * backups or bags, as what asks (IFK_COLLECT_*), sorted, escaped as
 * ifk_json_text does: *names is a new JSON array, empty when there are
 * none; *bags says how many are bags. 0 or IFK_ENOMEM. */
int ifk_collection_list(int fd, unsigned what, json_t **names, size_t *bags,
                        struct ifk_error *err);
/* Refuses the folder fd (path), which is not what the tool takes: when it
 * holds backups or bags (what), IFK_EFORMAT "<path>: holds 3 backups (one
 * folder per device), not one; give one of them: a, b, c" (at most 10
 * names, then "and N more"); else IFK_EFORMAT "<path>: <not_one>". */
int ifk_collection_refuse(int fd, const char *path, unsigned what, const char *not_one,
                          struct ifk_error *err);

/* Percent-encodes CR, LF and % in a manifest path (RFC 8493 2.1.3);
 * returns a malloc'd string. */
char *ifk_bag_encode_path(const char *path);

/* The OpenSSL digest name of a BagIt algorithm as manifest-<alg>.txt names
 * it ("sha256" -> "SHA256", "sha3256" -> "SHA3-256"), or NULL when ifk
 * does not know it. */
const char *ifk_bag_alg_digest(const char *alg);

/* Decodes %0D, %0A and %25 (hex digits in either case) in place. Any other
 * percent sign is kept as it is: RFC 8493 encodes these three only. */
void ifk_bag_decode_path(char *path);

/* One parsed manifest line: "<checksum> <path>" with one or more blanks. */
struct ifk_bag_line {
	char *checksum; /* points into the line */
	char *path;     /* decoded, points into the line */
};

/* Splits and decodes a manifest line in place (without its line end).
 * Returns 0, or IFK_EFORMAT. */
int ifk_bag_parse_line(char *line, struct ifk_bag_line *out);

/* Called for every line of a manifest. Lines are at most 64 KiB; a longer
 * or malformed line (or a UTF-8 byte-order mark) is reported with checksum
 * NULL and path holding the reason. A non-zero return stops the walk and
 * is returned. */
typedef int (*ifk_bag_line_fn)(void *ctx, unsigned long lineno, const struct ifk_bag_line *l);

/* Where a manifest is read from, and what the read feeds. */
struct ifk_bag_src {
	int dir_fd;       /* the bag */
	const char *name; /* the file under dir_fd (a regular file; symlinks
	                     and FIFOs are refused), or the name shown for text */
	const char *text; /* when set, the manifest's bytes: name is not read */
	size_t len;
	const char *encoding;  /* Tag-File-Character-Encoding; NULL: UTF-8 */
	EVP_MD_CTX *const *md; /* each receives every byte read, before decoding */
	int nmd;
};

/* Reads a manifest once: LF, CR or CRLF end lines; text in another
 * encoding is decoded to UTF-8 (a leading U+FEFF dropped). Errors name the
 * file. */
int ifk_bag_manifest_read(const struct ifk_bag_src *src, ifk_bag_line_fn fn, void *ctx,
                          struct ifk_error *err);

/* The same for a file opened relative to bag_fd, in UTF-8. When digest
 * names one ("SHA256"), every byte read feeds it and digest_hex receives
 * its hex value, so that the file is checked against a tag manifest in the
 * same read. */
int ifk_bag_manifest_foreach(int bag_fd, const char *name, const char *digest, char *digest_hex,
                             ifk_bag_line_fn fn, void *ctx, struct ifk_error *err);


/* Tag-file text in encoding (NULL: UTF-8) as UTF-8 with LF line ends into
 * out (reset first; a leading byte-order mark dropped). Returns 0,
 * IFK_EUNSUPPORTED (unknown encoding), IFK_EFORMAT (does not decode, or a
 * line over 64 KiB) or IFK_ENOMEM. */
int ifk_bag_text_decode(const char *text, size_t len, const char *encoding, struct ifk_buf *out,
                        struct ifk_error *err);

/* bag-info.txt: one metadata element. */
struct ifk_bag_info_elem {
	unsigned long line; /* where it starts, from 1 */
	const char *label;  /* without the blanks around it */
	const char *value;  /* continuation lines joined with one space */
	int padded;         /* the label had blanks before or after it */
};
typedef int (*ifk_bag_info_fn)(void *ctx, const struct ifk_bag_info_elem *e);

/* Walks the elements of bag-info text (LF, CR or CRLF line ends; the text
 * need not end in a NUL). A line without a colon, with an empty label, or
 * an indented first line is IFK_EFORMAT, with the line named. A non-zero
 * return from fn stops the walk and is returned. */
int ifk_bag_info_parse(const char *text, size_t len, ifk_bag_info_fn fn, void *ctx,
                       struct ifk_error *err);

/* Finds a label (case-insensitive) in bag-info text; malloc'd value or NULL. */
char *ifk_bag_info_get(const char *text, size_t len, const char *label);

/* Appends "Label: value\n" to a growing buffer (value made one line);
 * skipped when value is NULL or empty. Returns 0 or IFK_ENOMEM. */
int ifk_bag_info_add(struct ifk_buf *b, const char *label, const char *value);

/* The seal: a CMS (PKCS#7) detached signature, DER, over a bag's tag
 * manifest, made with the examiner's X.509 certificate and private key, that
 * `openssl cms -verify` accepts. */





/* The certificate's subject as one line ("CN=..., O=..."); owned by s. */
const char *ifk_signer_subject(const struct ifk_signer *s);

/* The SHA-256 fingerprint of the certificate (hex); owned by s. */
const char *ifk_signer_fingerprint(const struct ifk_signer *s);

/* Signs content (detached, binary, with a signing-time attribute). *der is
 * malloc'd (caller frees). */
int ifk_signer_sign(const struct ifk_signer *s, const void *content, size_t len, uint8_t **der,
                    size_t *der_len, struct ifk_error *err);

/* Like ifk_signer_sign, over the bytes read from fd (from its current
 * position to its end), streamed: memory does not grow with the content. A
 * read error is IFK_EIO (no signature). */
int ifk_signer_sign_fd(const struct ifk_signer *s, int fd, uint8_t **der, size_t *der_len,
                       struct ifk_error *err);


struct ifk_seal_info {
	int valid;       /* the signature matches the content */
	int trusted;     /* the signer chains to the --trust certificate */
	int self_signed; /* the signer's certificate is self-signed */
	char subject[256];
	char issuer[256];
	char fingerprint[65]; /* SHA-256 of the signer's certificate */
	char signing_time[21];
	char reason[256]; /* why valid or trusted is 0 */
};

/* Checks a DER seal over content. trust_path (may be NULL) names a PEM file
 * of trusted certificates; the chain is checked at the seal's signing time.
 * Returns 0 and fills info in every case where a verdict could be reached
 * (info->valid says which); a negative code only for I/O problems with
 * trust_path. */
int ifk_seal_verify(const uint8_t *der, size_t der_len, const void *content, size_t len,
                    const char *trust_path, struct ifk_seal_info *info, struct ifk_error *err);

/* Like ifk_seal_verify, over the bytes read from fd (from its current
 * position to its end), streamed and read once. Also returns IFK_EIO when
 * fd cannot be read to its end (info then says nothing). */
int ifk_seal_verify_fd(const uint8_t *der, size_t der_len, int fd, const char *trust_path,
                       struct ifk_seal_info *info, struct ifk_error *err);


/* The custody log: ifk-custody.log in a bag's root, one entry per line:
 *   <64 hex: SHA-256 of BODY> SP <BODY: one compact JSON object> LF
 * BODY holds seq (from 1), prev (the previous entry's hash; 64 zeros for the
 * first), time, tool, version, action, actor and result, and details. The
 * first entry is the acquisition; its hash is written into the sealed
 * acquisition record, which binds the chain to the seal. See CASE_FORMAT.md. */



#define IFK_CUSTODY_FILE "ifk-custody.log"
#define IFK_CUSTODY_MAX_LINE (1024 * 1024)

struct ifk_custody_event {
	const char *tool;     /* "ifk-verify" */
	const char *action;   /* "acquire", "verify", "parse", "report" */
	const char *result;   /* "sealed", "PASS", "FAIL", ... */
	const char *examiner; /* may be NULL */
	time_t when;
	json_t *details; /* an object, borrowed; may be NULL */
};

/* Formats the entry with the given seq and prev into *line (malloc'd, no LF)
 * and its hash into hash (hex). */
int ifk_custody_format(unsigned long seq, const char *prev, const struct ifk_custody_event *ev,
                       char **line, char hash[65], struct ifk_error *err);

/* Creates the log in bag_fd holding one first line (must not exist). */
int ifk_custody_create(int bag_fd, const char *line, struct ifk_error *err);

/* Appends one entry under an exclusive lock; hash (may be NULL) receives the
 * new entry's hash. Refuses a log whose last line is incomplete. */
int ifk_custody_append(int bag_fd, const struct ifk_custody_event *ev, char hash[65],
                       struct ifk_error *err);

/* A problem found while checking: line number (1-based, 0 for the whole log)
 * and a one-line reason. */
typedef void (*ifk_custody_problem_fn)(void *ctx, unsigned long line, const char *reason);

struct ifk_custody_summary {
	unsigned long entries;
	unsigned long problems;
	char genesis[65]; /* hash of entry 1 as computed */
	char head[65];    /* hash of the last entry as computed */
};

/* Checks the whole log: each line's hash, the prev chain, seq, the first
 * entry being the acquisition and, when genesis is not NULL, equal to it.
 * Returns 0 when the log could be read (problems are reported through fn
 * and counted in sum), IFK_ENOTFOUND when there is no log. */
int ifk_custody_check(int bag_fd, const char *genesis, ifk_custody_problem_fn fn, void *ctx,
                      struct ifk_custody_summary *sum, struct ifk_error *err);

/* Calls fn for every complete line of the log, in order, with the SHA-256
 * of its body as computed (not as written) and the body text ("" for an
 * over-long or malformed line); an incomplete last line is not delivered.
 * Checking is ifk_custody_check's job. A non-zero return from fn stops and
 * is returned. */
typedef int (*ifk_custody_entry_fn)(void *ctx, unsigned long lineno, const char *hash,
                                    const char *body);
int ifk_custody_foreach(int bag_fd, ifk_custody_entry_fn fn, void *ctx, struct ifk_error *err);

/* The report archive: a deterministic pax tar, gzip-compressed, of a staged
 * report folder, with SHA256SUMS listing every other member, and a detached
 * CMS signature (DER) over the archive's bytes in REPORT.p7s beside it.
 * Checking it is `ifk-verify REPORT [BAG]`. See CASE_FORMAT.md. */



#define IFK_RAR_SUMS "SHA256SUMS"
#define IFK_RAR_REPORT_JSON "report.json"
#define IFK_RAR_SIG_SUFFIX ".p7s"
#define IFK_RAR_MAX_FINDINGS 1000 /* findings listed; "failures" counts them all */

/* Writes every regular file below stage_dir (recursively) into the new file
 * archive_path (which must not exist; it is removed again on any error) as
 * a gzip-compressed pax tar: members named by their path below stage_dir
 * ('/' separators), sorted bytewise, mode 0644, uid/gid 0, no user or group
 * names, mtime = mtime, no folder entries, no clock-dependent header. The
 * same files and mtime give the same bytes. A symlink, special file or a
 * name that is not printable ASCII (or holds a backslash) is refused
 * (IFK_EFORMAT / IFK_EINVAL). Contents are streamed. */
int ifk_rar_write(const char *archive_path, const char *stage_dir, time_t mtime,
                  struct ifk_error *err);

/* A list of report members, sorted bytewise by name, kept in a private
 * temporary SQLite database so that memory does not grow with their
 * number: each name once, with its SHA-256 (64 lowercase hex digits) and
 * size when known (sha256 NULL when not). */
struct ifk_rar_list;
struct ifk_rar_member {
	const char *name, *sha256;
	int64_t bytes;
};
int ifk_rar_list_new(struct ifk_rar_list **out, struct ifk_error *err);
/* Adds a member (sha256 may be NULL); IFK_EIO when name is listed already. */
int ifk_rar_list_add(struct ifk_rar_list *l, const char *name, const char *sha256,
                     int64_t bytes, struct ifk_error *err);
/* Every regular file below stage_dir, checked as ifk_rar_write checks them,
 * each hashed when hash is non-zero. *out is the caller's. */
int ifk_rar_list_stage(const char *stage_dir, int hash, struct ifk_rar_list **out,
                       struct ifk_error *err);
uint64_t ifk_rar_list_count(const struct ifk_rar_list *l);
/* fn gets each member in name order (borrowed, valid during the call); a
 * non-zero return stops and is returned. A NULL list has no members. */
typedef int (*ifk_rar_member_fn)(void *ctx, const struct ifk_rar_member *m,
                                 struct ifk_error *err);
int ifk_rar_list_each(const struct ifk_rar_list *l, ifk_rar_member_fn fn, void *ctx,
                      struct ifk_error *err);
void ifk_rar_list_free(struct ifk_rar_list *l);

/* Writes stage_dir/SHA256SUMS (which must not exist): "<sha256>  <name>\n"
 * for every regular file below stage_dir, sorted bytewise by name, in the
 * format `sha256sum -c` reads. */
int ifk_rar_sha256sums(const char *stage_dir, struct ifk_error *err);

/* Appends a fail finding {"level": "fail", "file": file (escaped; null when
 * NULL), "reason": (escaped)} to result's "findings" (made when absent; at
 * most IFK_RAR_MAX_FINDINGS listed) and counts it in result's "failures". */
void ifk_rar_fail(json_t *result, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads the archive from archive_fd's current position (streamed) and adds
 * to result (an object) "members" (the count of entries) and, through
 * ifk_rar_fail, a finding for each of:
 * a member that is not a regular file or whose name is absolute, holds ".."
 * or is listed twice; SHA256SUMS missing or malformed; a member changed
 * (both hashes named), added or removed against SHA256SUMS; an archive that
 * cannot be decompressed or read to its end. Also sets "custody_head"
 * ({"head", "head_seq"} from report.json's "custody", or null: a finding)
 * and "examiner_certificate_sha256" (report.json's examiner
 * .certificate_sha256, or null). Returns 0
 * whenever a verdict can be reached (a damaged archive is a finding); a
 * negative code only when archive_fd cannot be read or memory runs out. */
int ifk_rar_scan(int archive_fd, json_t *result, struct ifk_error *err);

/* Checks the report archive archive_path and its signature sig_path (when
 * NULL, archive_path + ".p7s"): the CMS signature over the archive's bytes
 * (trusted only when it chains to a certificate in trust_path, which may be
 * NULL), that the signer is the certificate report.json names when it
 * names one (otherwise the signature was replaced), and ifk_rar_scan.
 * *result (new reference) is
 *   {"tool", "version", "format_version", "kind": "ifk-report", "target",
 *    "signature": {valid, trusted, self_signed, subject, issuer, fingerprint,
 *                  signing_time, reason}, "members", "failures", "findings",
 *    "custody_head", "examiner_certificate_sha256", "verdict": "PASS"|"FAIL"}.
 * PASS: the signature is valid (and trusted when trust_path is given) and
 * there is no finding. Returns 0 with *result, or a negative code (no
 * result) when the archive, the signature or trust_path cannot be read
 * (IFK_ENOTFOUND / IFK_EIO, the message naming which file). */
int ifk_rar_check(const char *archive_path, const char *sig_path, const char *trust_path,
                  json_t **result, struct ifk_error *err);

/* Adds the custody check against the bag at bag_path to a result of
 * ifk_rar_check: the bag's ifk-custody.log must hold, at line head_seq, an
 * entry whose hash (as computed) is the archive's custody head (later
 * entries may follow); otherwise a fail finding. Sets "bag" and updates
 * "failures" and "verdict". Returns a negative code (result unchanged but
 * for "bag") when the bag or its log cannot be read. */
int ifk_rar_check_custody(json_t *result, const char *bag_path, struct ifk_error *err);

#endif

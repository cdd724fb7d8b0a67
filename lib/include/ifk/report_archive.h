/* The report archive: a deterministic pax tar, gzip-compressed, of a staged
 * report folder, with SHA256SUMS listing every other member, and a detached
 * CMS signature (DER) over the archive's bytes in REPORT.p7s beside it.
 * Checking it is `ifk-verify REPORT [BAG]`. See CASE_FORMAT.md. */
#ifndef IFK_REPORT_ARCHIVE_H
#define IFK_REPORT_ARCHIVE_H

#include <jansson.h>
#include <time.h>

#include "ifk/error.h"

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

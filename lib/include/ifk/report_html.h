/* report.html: the page of an ifk-report archive that a person reads.
 *
 * One self-contained UTF-8 file: inline CSS and JavaScript only, a strict
 * Content-Security-Policy (nothing may be loaded: no script, style, font or
 * image from anywhere), and no URL other than fragments (#...) and the
 * relative names of members of the same archive (parse/sms_messages.jsonl).
 * It works offline, from a USB stick, from the unpacked archive.
 *
 * The case, the device, the acquisition, the custody log, the verification
 * and the parse summary are plain HTML (readable without JavaScript). The
 * artifact tables, the timeline, the YARA matches and the media list are
 * JSON blocks, <script type="application/json" id="data-<name>">, streamed
 * row by row from SQLite (memory does not grow with the rows); a small
 * inline script renders each one 100 rows a page, sortable by any column
 * and filtered by a search box, and reads its state from the address
 * (#sms_messages:page=3&q=lunch&sort=date&dir=desc, #sms_messages:row=12).
 * Every row shows its provenance (domain/relativePath, source table and
 * rowid, SHA-256 of the source file). The output depends only on the inputs
 * (no clock, no randomness): the same inputs give the same bytes.
 * CASE_FORMAT.md ("report.html") lists the element ids. */
#ifndef IFK_REPORT_HTML_H
#define IFK_REPORT_HTML_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>

#include "ifk/error.h"

/* Writes report.html to out (which stays the caller's: it is flushed, not
 * closed). report is the report.json model (CASE_FORMAT.md, "report.json");
 * artifacts is the report's parse/artifacts.sqlite opened with
 * ifk_sqlite_open_untrusted (sqlite_untrusted.h), or NULL when the report
 * has no parse. When report.parse.yara_member names the
 * YARA matches (parse/yara.jsonl), that file is read from the folder
 * artifacts lies in (its sibling in the staged archive, as in an ifk-parse
 * output folder); a missing one is IFK_ENOTFOUND.
 * Returns 0; IFK_EINVAL (no out or report); IFK_EIO when out could not be
 * written; IFK_EFORMAT when SQLite failed on the database (the message
 * names the table; "hostile or damaged: ..." when the file is at fault);
 * IFK_EINTR when its budget ended a query. On error, what was written is
 * incomplete: discard it. */
int ifk_report_html_write(FILE *out, const json_t *report, sqlite3 *artifacts,
                          struct ifk_error *err);

#endif

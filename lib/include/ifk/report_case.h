/* case.jsonld: a report's provenance in CASE/UCO 1.4.0 JSON-LD (the layout
 * is specified in CASE_FORMAT.md). */
#ifndef IFK_REPORT_CASE_H
#define IFK_REPORT_CASE_H

#include <stdio.h>

#include <jansson.h>

#include "ifk/error.h"

/* Writes case.jsonld to out from report (the report.json model): the
 * examiners (identities) and their role, the tools and versions, the
 * device, one investigative action per custody entry and one for the
 * report, each with its provenance record, and the investigation.
 *
 * bag_manifest_path is the bag's manifest-sha256.txt: it is read line by
 * line (never held whole) and every payload file is written as it is read,
 * with its SHA-256 and its size (stat of the file beside the manifest). When
 * report's backup_files.manifest_sha256 is given, the manifest must still
 * have that hash (else IFK_EVERIFY: the bag changed since the report was
 * built). report_files is an array of {"name", "sha256", "bytes"}: the
 * report's other members, listed in the order given.
 *
 * Every node's IRI is urn:uuid:<a version 5 UUID of a stable name>, keys are
 * sorted and nothing reads the clock: the same inputs give the same bytes.
 * Strings from the evidence are escaped (ifk_text_escape). Returns 0 or a
 * negative IFK_E* code; out may hold a partial document on error. */
int ifk_report_case_write(FILE *out, const json_t *report, const char *bag_manifest_path,
                          json_t *report_files, struct ifk_error *err);

#endif

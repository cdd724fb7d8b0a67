/* ifk-acquire's words for people: the acquisition's summary as lines on
 * standard output, and its JSON payload. */
#ifndef IFK_ACQUIRE_SHOW_H
#define IFK_ACQUIRE_SHOW_H

#include <jansson.h>

#include <ifk/acquire.h>
#include <ifk/cli.h>

/* The counts, the anomalies (a few of each kind unless -v), where the bag
 * is and the last line; with -q the last line only. verdict is the
 * verification made at once ("PASS", "FAIL"), or NULL. */
void show_acquisition(const struct ifk_cli *c, const struct ifk_acquire_result *r,
                      json_t *anomalies, const char *verdict);
/* --json's payload (a new reference). */
json_t *acquisition_json(const struct ifk_acquire_result *r, const char *verdict);
/* The envelope's outcome: sealed, sealed-with-anomalies,
 * sealed-verification-failed, incomplete or error. */
const char *acquisition_outcome(const struct ifk_acquire_result *r, const char *verdict);

#endif

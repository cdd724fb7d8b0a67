/* ifk-verify's words for people: the verification report (of a bag or
 * backup, or of a report archive) as lines on standard output. */
#ifndef IFK_VERIFY_SHOW_H
#define IFK_VERIFY_SHOW_H

#include <jansson.h>

#include <ifk/cli.h>

/* The checks, their findings (a few of each kind unless -v) and the
 * verdict line; with -q the verdict line only. */
void show_verification(const struct ifk_cli *c, json_t *report);
/* The same for a report archive (ifk_verify_report's result). */
void show_report_check(const struct ifk_cli *c, json_t *result);

#endif

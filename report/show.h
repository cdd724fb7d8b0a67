/* ifk-report's words for people: the signed report's summary as lines on
 * standard output. */
#ifndef IFK_REPORT_SHOW_H
#define IFK_REPORT_SHOW_H

#include <jansson.h>

#include <ifk/cli.h>

/* The archive, its hash and signature, the bag's verification, how to
 * check and open it, and the last line; with -q the last line only. */
void show_report(const struct ifk_cli *c, json_t *summary);

#endif

/* ifk-parse's words for people: the run's summary (parse.json) as lines on
 * standard output. */
#ifndef IFK_PARSE_SHOW_H
#define IFK_PARSE_SHOW_H

#include <jansson.h>

#include <ifk/cli.h>

/* The verification, each artifact (with a few of each kind of the
 * verification findings on its sources, unless -v), the files, YARA, the
 * export and the last line; with -q the last line only. */
void show_parse(const struct ifk_cli *c, json_t *summary, const char *out_dir);
/* ifk-parse --list: each artifact and its sources. */
void show_artifacts(json_t *list);

#endif

/* Internal to the parse module: the engine's state (parse.c) shared with
 * its consumer of the verification pass (parse_tap.c). */
#ifndef IFK_PARSE_ENG_H
#define IFK_PARSE_ENG_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "ifk/parse.h"
#include "ifk/verify.h"
#include "ifk/yarascan.h"
#include "parse_int.h"

struct peng {
	const struct ifk_parse_opts *o;
	const struct ifk_artifact **arts; /* the selected artifacts, NULL-terminated */
	char *tmpdir;                     /* private (0700): src/, top/, index.sqlite */
	char *out_tmp, *export_tmp;       /* <out>.incomplete, <export>.incomplete, once made
	                                   * by this run (only then removed on failure) */
	int out_published, export_published;
	char *target_j, *out_j, *export_j; /* the paths as JSON can hold them (escaped) */
	int export_fd;                     /* export_tmp, or -1 */
	struct ifk_parse_ctx *ctx;
	struct ifk_yara *yara;
	FILE *yara_out;
	struct ifk_error tap_err; /* the first problem of the tap */
	uint64_t files_ok, files_failed, files_off_device, bytes_ok;
	uint64_t exported, export_skipped, yara_files, yara_matches, yara_errors;
	json_t *export_skips, *yara_error_list;
	struct ifk_keybag *kb;
};

/* parse_tap.c */
void p_tap_init(struct peng *g, struct ifk_verify_tap *t);

#endif

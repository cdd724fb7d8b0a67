/* ifk-acquire's words for people (show.h). */
#include <stdio.h>
#include <string.h>

#include "show.h"

#define FEW 5 /* anomalies of one kind listed before "and N more like this" */

static void show_anomaly(void *ctx, json_t *x)
{
	(void)ctx;
	printf("  %s ", ifk_cli_str(x, "kind"));
	ifk_cli_put_text(stdout, ifk_cli_str(x, "path"));
	fputs(": ", stdout);
	ifk_cli_put_text(stdout, ifk_cli_str(x, "detail"));
	putchar('\n');
}

static void print_counts(const struct ifk_cli *c, const struct ifk_acquire_result *r,
                         json_t *anomalies)
{
	printf("files: %llu\nbytes: %llu\nfolders: %llu\nanomalies: %lu%s\n",
	       (unsigned long long)r->files, (unsigned long long)r->bytes,
	       (unsigned long long)r->dirs, r->anomalies,
	       r->anomalies ? " (listed in ifk-acquisition.json)" : "");
	ifk_cli_list_capped(anomalies, c->verbose ? 0 : FEW, "  ", show_anomaly, NULL);
	if (r->anomalies > json_array_size(anomalies))
		printf("  and %lu more not listed\n",
		       r->anomalies - (unsigned long)json_array_size(anomalies));
}

void show_acquisition(const struct ifk_cli *c, const struct ifk_acquire_result *r,
                      json_t *anomalies, const char *verdict)
{
	if (!r->sealed && !r->folder[0])
		return;
	if (!c->quiet)
		print_counts(c, r, anomalies);
	if (r->sealed && !c->quiet)
		printf("bag: %s\ncustody head: %s\n", r->folder, r->genesis);
	else if (r->sealed_unpublished && !c->quiet)
		printf("sealed, but not published: %s (rename it, dropping \".incomplete\", "
		       "then verify)\n",
		       r->folder);
	else if (!r->sealed && !c->quiet)
		printf("incomplete folder: %s (not sealed)\n", r->folder);
	if (verdict && !c->quiet)
		printf("verification: %s\n", verdict);
	printf("ifk-acquire: %s\n", r->sealed ? "SEALED" : "INCOMPLETE");
}

json_t *acquisition_json(const struct ifk_acquire_result *r, const char *verdict)
{
	json_t *j = json_pack(
	    "{s:s, s:b, s:I, s:I, s:I, s:I, s:s, s:s}", "result",
	    r->sealed ? (r->anomalies ? "sealed-with-anomalies" : "sealed") : "incomplete",
	    "sealed", r->sealed, "files", (json_int_t)r->files, "bytes", (json_int_t)r->bytes,
	    "directories", (json_int_t)r->dirs, "anomalies", (json_int_t)r->anomalies, "folder",
	    r->folder, "custody_genesis_sha256", r->genesis);

	if (j && verdict)
		json_object_set_new(j, "verification", json_string(verdict));
	return j;
}

const char *acquisition_outcome(const struct ifk_acquire_result *r, const char *verdict)
{
	if (!r->sealed)
		return r->folder[0] ? "incomplete" : "error";
	if (verdict && strcmp(verdict, "PASS") != 0)
		return "sealed-verification-failed";
	return r->anomalies ? "sealed-with-anomalies" : "sealed";
}

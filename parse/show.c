/* ifk-parse's words for people (show.h). */
#include <stdio.h>
#include <string.h>

#include "show.h"

#define FEW 3 /* findings of one kind listed before "and N more like this" */

static void print_verification(json_t *v)
{
	const char *k;
	json_t *val;
	int first = 1;

	printf("verification: %s (", ifk_cli_str(v, "verdict"));
	json_object_foreach(json_object_get(v, "checks"), k, val)
	{
		printf("%s%s %s", first ? "" : ", ", k, json_string_value(val));
		first = 0;
	}
	if (strcmp(ifk_cli_str(v, "verdict"), "PASS") == 0)
		printf(")\n");
	else if (json_is_true(json_object_get(v, "no_verify")))
		printf(")  ** FAILED, PARSED ANYWAY (--no-verify) **\n");
	else
		printf(")  the backup's own flaws: parsed around them\n");
	if (*ifk_cli_str(v, "note"))
		printf("verification: %s\n", ifk_cli_str(v, "note"));
}

/* "<indent><check> <level>: <file>: <reason>", ctx the indent */
static void show_finding(void *ctx, json_t *x)
{
	printf("%s%s", (const char *)ctx, ifk_cli_str(x, "check"));
	if (*ifk_cli_str(x, "level"))
		printf(" %s", ifk_cli_str(x, "level"));
	fputs(": ", stdout);
	ifk_cli_put_safe(stdout, *ifk_cli_str(x, "file") ? ifk_cli_str(x, "file") : "-");
	fputs(": ", stdout);
	ifk_cli_put_safe(stdout, ifk_cli_str(x, "reason"));
	putchar('\n');
}

/* The verification's failures that parse.json lists (verify.json has
 * all), a few of each kind unless -v. */
static void print_failures(const struct ifk_cli *c, json_t *v)
{
	json_t *f = json_object_get(v, "failures");
	long long more = ifk_cli_num(v, "failures_total") - (long long)json_array_size(f);

	ifk_cli_list_capped(f, c->verbose ? 0 : FEW, "  ", show_finding, "  ");
	if (more > 0)
		printf("  and %lld more failures (verify.json)\n", more);
}

/* The verification findings that touch an artifact's sources. */
static void print_art_findings(const struct ifk_cli *c, json_t *x)
{
	json_t *f = json_object_get(x, "verification_findings");
	long long more =
	    ifk_cli_num(x, "verification_findings_total") - (long long)json_array_size(f);

	ifk_cli_list_capped(f, c->verbose ? 0 : FEW, "    ", show_finding, "    ");
	if (more > 0)
		printf("    and %lld more verification findings on its sources (parse.json)\n",
		       more);
}

static void print_artifacts(const struct ifk_cli *c, json_t *arts)
{
	json_t *x;
	size_t i;

	json_array_foreach(arts, i, x)
	{
		printf("%-18s %-20s %6lld rows", ifk_cli_str(x, "status"), ifk_cli_str(x, "name"),
		       ifk_cli_num(x, "rows"));
		if (*ifk_cli_str(x, "reason") && strcmp(ifk_cli_str(x, "status"), "absent") != 0) {
			fputs("  ", stdout);
			ifk_cli_put_safe(stdout, ifk_cli_str(x, "reason"));
		}
		putchar('\n');
		print_art_findings(c, x);
	}
}

static void print_outputs(json_t *s, const char *out_dir)
{
	json_t *f = json_object_get(s, "files"), *y = json_object_get(s, "yara"),
	       *e = json_object_get(s, "export");

	printf("files: %lld decrypted (%lld bytes), %lld not decryptable off the device, %lld "
	       "failed\n",
	       ifk_cli_num(f, "read"), ifk_cli_num(f, "bytes"),
	       ifk_cli_num(f, "not_decryptable_off_device"), ifk_cli_num(f, "failed"));
	if (json_is_object(y))
		printf("yara: %lld matches in %lld files scanned (%lld rules)\n",
		       ifk_cli_num(y, "matches"), ifk_cli_num(y, "files_scanned"),
		       ifk_cli_num(y, "rule_count"));
	if (json_is_object(e)) {
		printf("export: ");
		ifk_cli_put_safe(stdout, ifk_cli_str(e, "path"));
		printf(" (%lld files, %lld skipped)\n", ifk_cli_num(e, "files"),
		       ifk_cli_num(e, "skipped"));
	}
	printf("output: ");
	ifk_cli_put_safe(stdout, out_dir);
	putchar('\n');
	if (*ifk_cli_str(s, "custody_appended"))
		printf("custody: appended entry %s\n", ifk_cli_str(s, "custody_appended"));
}

static void print_last(json_t *s)
{
	const char *outcome = ifk_cli_str(s, "outcome");

	if (strcmp(outcome, "refused") != 0)
		printf("ifk-parse: %s\n",
		       strcmp(outcome, "ok") == 0
		           ? "OK"
		           : "FINDINGS (parsed with findings: see above and parse.json)");
	else if (strcmp(ifk_cli_str(s, "refused_because"), "wrong-password") == 0)
		printf("ifk-parse: refused: wrong password: the backup's keybag does not "
		       "unlock with it; nothing was parsed\n");
	else
		printf("ifk-parse: refused: the seal or custody check failed, so the evidence "
		       "may have been altered; nothing was parsed (--no-verify parses "
		       "anyway, on record)\n");
}

void show_parse(const struct ifk_cli *c, json_t *s, const char *out_dir)
{
	if (!c->quiet) {
		printf("ifk-parse %s: ", IFK_VERSION);
		ifk_cli_put_safe(stdout, ifk_cli_str(s, "target"));
		printf(" (%s)\n", ifk_cli_str(s, "kind"));
		print_verification(json_object_get(s, "verification"));
		print_failures(c, json_object_get(s, "verification"));
	}
	if (!c->quiet && strcmp(ifk_cli_str(s, "outcome"), "refused") != 0) {
		print_artifacts(c, json_object_get(s, "artifacts"));
		print_outputs(s, out_dir);
	}
	print_last(s);
}

void show_artifacts(json_t *list)
{
	json_t *x, *src;
	size_t i, j;

	json_array_foreach(list, i, x)
	{
		printf("%-20s %s (", ifk_cli_str(x, "name"), ifk_cli_str(x, "title"));
		json_array_foreach(json_object_get(x, "sources"), j, src)
		    printf("%s%s", j ? ", " : "", json_string_value(src));
		printf(")\n");
	}
}

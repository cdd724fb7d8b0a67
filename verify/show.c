/* ifk-verify's words for people (show.h). Names and reasons in a report are
 * escaped by the engine already: ifk_cli_put_text keeps them as they are. */
#include <stdio.h>
#include <string.h>

#include "show.h"

#define FEW 5 /* findings of one kind listed before "and N more like this" */

static void summary(json_t *c, char *out, size_t cap)
{
	const char *name = ifk_cli_str(c, "name");
	json_t *i = json_object_get(c, "info");

	out[0] = '\0';
	if (strcmp(ifk_cli_str(c, "status"), "skip") == 0)
		snprintf(out, cap, "%s", ifk_cli_str(c, "reason"));
	else if (strcmp(name, "seal") == 0 && *ifk_cli_str(i, "signer"))
		snprintf(out, cap, "signed by %s (%s); %lld payload files read",
		         ifk_cli_str(i, "signer"),
		         json_is_true(json_object_get(i, "trusted")) ? "trusted via --trust"
		         : json_is_true(json_object_get(i, "self_signed"))
		             ? "self-signed; give --trust CERT to check whose"
		             : "not checked against a trusted certificate",
		         ifk_cli_num(i, "files_read"));
	else if (strcmp(name, "seal") == 0)
		snprintf(out, cap, "%lld payload files read", ifk_cli_num(i, "files_read"));
	else if (strcmp(name, "custody") == 0)
		snprintf(out, cap, "%lld entries, head %.16s", ifk_cli_num(i, "entries"),
		         ifk_cli_str(i, "head_sha256"));
	else if (strcmp(name, "backup") == 0 && *ifk_cli_str(i, "index_not_read"))
		snprintf(out, cap, "%s", ifk_cli_str(i, "index_not_read"));
	else if (strcmp(name, "backup") == 0)
		snprintf(out, cap, "%s, %lld entries",
		         *ifk_cli_str(i, "index") ? ifk_cli_str(i, "index") : "no index",
		         ifk_cli_num(i, "entries"));
	else if (strcmp(name, "encryption") == 0)
		snprintf(out, cap,
		         "%zu classes unwrapped, %zu not decryptable off the device; "
		         "%lld files decrypted",
		         json_array_size(json_object_get(i, "classes_unwrapped")),
		         json_array_size(json_object_get(i, "classes_not_decryptable_off_device")),
		         ifk_cli_num(i, "files_decrypted"));
}

/* The last line: the verdict, and what it does not cover or why --strict
 * failed it. */
static void print_verdict(json_t *r)
{
	json_t *p = json_object_get(r, "partial_reasons");
	size_t i;

	printf("ifk-verify: %s", ifk_cli_str(r, "verdict"));
	if (*ifk_cli_str(r, "verdict_reason"))
		printf(" (%s)", ifk_cli_str(r, "verdict_reason"));
	else if (json_array_size(p)) {
		printf(" (partial: ");
		for (i = 0; i < json_array_size(p); i++)
			printf("%s%s", i ? ", " : "", json_string_value(json_array_get(p, i)));
		putchar(')');
	}
	putchar('\n');
}

/* "<ctx><level> <file>: <reason>": ctx is the indent; a report archive's
 * findings (ctx NULL) are "<level>  <file>: <reason>" */
static void show_finding(void *ctx, json_t *x)
{
	printf("%s%s%s", ctx ? (const char *)ctx : "", ifk_cli_str(x, "level"), ctx ? " " : "  ");
	ifk_cli_put_text(stdout, *ifk_cli_str(x, "file") ? ifk_cli_str(x, "file") : "-");
	fputs(": ", stdout);
	ifk_cli_put_text(stdout, ifk_cli_str(x, "reason"));
	putchar('\n');
}

/* A check's findings: a few of each kind unless -v. */
static void show_findings(const struct ifk_cli *c, json_t *check)
{
	json_t *f = json_object_get(check, "findings");
	long long more = ifk_cli_num(check, "failures") + ifk_cli_num(check, "warnings") -
	                 (long long)json_array_size(f);

	ifk_cli_list_capped(f, c->verbose ? 0 : FEW, "        ", show_finding, "        ");
	if (more > 0)
		printf("        (%lld more findings not listed)\n", more);
}

static void show_custody(json_t *r)
{
	if (*ifk_cli_str(r, "custody_appended"))
		printf("custody: appended entry %s\n", ifk_cli_str(r, "custody_appended"));
	else if (*ifk_cli_str(r, "custody_append_error"))
		printf("custody: nothing appended: %s\n", ifk_cli_str(r, "custody_append_error"));
}

void show_verification(const struct ifk_cli *c, json_t *r)
{
	json_t *checks = json_object_get(r, "checks"), *x;
	char line[1024];
	size_t i;

	if (c->quiet) {
		print_verdict(r);
		return;
	}
	printf("ifk-verify %s: ", IFK_VERSION);
	ifk_cli_put_text(stdout, ifk_cli_str(r, "target"));
	printf(" (%s)\n", ifk_cli_str(r, "kind"));
	json_array_foreach(checks, i, x)
	{
		summary(x, line, sizeof(line));
		printf("%-4s  %s: ", ifk_cli_str(x, "status"), ifk_cli_str(x, "name"));
		ifk_cli_put_text(stdout, line);
		putchar('\n');
		show_findings(c, x);
	}
	show_custody(r);
	print_verdict(r);
}

static void print_signature(json_t *sig, const struct ifk_cli *c)
{
	printf("signature: ");
	if (!json_is_true(json_object_get(sig, "valid"))) {
		fputs("INVALID: ", stdout);
		ifk_cli_put_text(stdout, ifk_cli_str(sig, "reason"));
	} else {
		fputs("valid, signed by ", stdout);
		ifk_cli_put_text(stdout, ifk_cli_str(sig, "subject"));
		printf(" at %s (%s)", ifk_cli_str(sig, "signing_time"),
		       json_is_true(json_object_get(sig, "trusted")) ? "trusted via --trust"
		       : c->trust                                    ? "NOT trusted via --trust"
		       : json_is_true(json_object_get(sig, "self_signed"))
		           ? "self-signed; give --trust CERT to check whose"
		           : "not checked against a trusted certificate");
	}
	putchar('\n');
}

void show_report_check(const struct ifk_cli *c, json_t *r)
{
	json_t *f = json_object_get(r, "findings"), *head = json_object_get(r, "custody_head");
	json_t *bc = json_object_get(r, "bag_custody");

	if (!c->quiet) {
		printf("ifk-verify %s: ", IFK_VERSION);
		ifk_cli_put_text(stdout, ifk_cli_str(r, "target"));
		printf(" (%s)\n", ifk_cli_str(r, "kind"));
		print_signature(json_object_get(r, "signature"), c);
		printf("members: %lld\n", ifk_cli_num(r, "members"));
		if (json_is_object(head))
			printf("custody head: entry %lld, %s\n", ifk_cli_num(head, "head_seq"),
			       ifk_cli_str(head, "head"));
		if (json_is_object(bc))
			printf("bag custody log: %lld entries; the head %s\n",
			       ifk_cli_num(bc, "entries"),
			       json_is_true(json_object_get(bc, "head_found")) ? "is in it"
			                                                       : "is NOT in it");
		ifk_cli_list_capped(f, c->verbose ? 0 : FEW, "", show_finding, NULL);
		if (ifk_cli_num(r, "failures") > (long long)json_array_size(f))
			printf("(%lld more findings not listed)\n",
			       ifk_cli_num(r, "failures") - (long long)json_array_size(f));
	}
	printf("ifk-verify: %s\n", ifk_cli_str(r, "verdict"));
}

/* ifk-report's words for people (show.h). */
#include <stdio.h>
#include <string.h>

#include "show.h"

void show_report(const struct ifk_cli *c, json_t *s)
{
	int pass = strcmp(ifk_cli_str(s, "verification"), "PASS") == 0;

	if (!c->quiet) {
		fputs("report: ", stdout);
		ifk_cli_put_safe(stdout, ifk_cli_str(s, "report"));
		printf("\n  sha256 %s, %lld members, covering the custody log up to entry %lld "
		       "(%.16s)\n",
		       ifk_cli_str(s, "report_sha256"), ifk_cli_num(s, "members"),
		       ifk_cli_num(s, "custody_head_seq"), ifk_cli_str(s, "custody_head"));
		fputs("signature: ", stdout);
		ifk_cli_put_safe(stdout, ifk_cli_str(s, "signature"));
		printf("\nbag verification: %s\n", ifk_cli_str(s, "verification"));
		if (*ifk_cli_str(s, "custody_appended"))
			printf("custody: appended entry %s\n", ifk_cli_str(s, "custody_appended"));
		printf("check it: ifk-verify REPORT [BAG], or openssl cms -verify -binary -inform "
		       "DER -in REPORT.p7s -content REPORT -CAfile CERT\n"
		       "open it: tar -xzf REPORT report.html, then open report.html in a browser "
		       "(it works offline)\n");
	}
	printf("ifk-report: %s\n", pass ? "SIGNED" : "SIGNED (the bag FAILED verification)");
}

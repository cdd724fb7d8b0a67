/* ifk-verify's other modes: the fleet check (several backups at once, for
 * an auditor) and the lost-password tools (the keybag as a hashcat line, a
 * list of candidates tried against the keybag). */
#ifndef IFK_VERIFY_MODES_H
#define IFK_VERIFY_MODES_H

#include <stdint.h>

#include <ifk/cli.h>

struct verify_args {
	int strict, quick;
	int fleet, require_encrypted; /* the fleet check */
	int64_t max_age;
	long jobs;
	const char *metrics;
	int export_hash; /* the lost password */
	const char *password_list, *password_out;
};

/* 1 when the options or operands ask for one of these modes rather than
 * the check of one bag or backup (or of a report archive and its bag). */
int other_mode_asked(const struct ifk_cli *c, const struct verify_args *a, int report);
/* Checks the options go together, takes the secrets out of the
 * environment, and runs the mode asked for. */
int run_other_mode(struct ifk_cli *c, const struct verify_args *a, int report);

/* Every backup or bag the operands name (a folder: the ones directly in
 * it), one line (or JSON object) each, a summary, the verdict. */
int run_fleet(struct ifk_cli *c, const struct verify_args *a);
/* --export-hash: the keybag as hashcat's and John the Ripper's line. */
int run_export_hash(struct ifk_cli *c);
/* --password-list: the first line that unlocks the keybag. */
int run_password_list(struct ifk_cli *c, const struct verify_args *a);

#endif

/* ifk-acquire's steps around the acquisition (steps.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ifk/verify.h>

#include "steps.h"

int make_cert(struct ifk_cli *c, const struct args *a)
{
	struct ifk_error err = {0};
	json_t *made;
	int code, rc;

	c->target = a->cert;
	if (!c->examiner || !a->key || !a->cert)
		return ifk_cli_usage_error(c, "--make-cert needs --examiner, --key and --cert");
	if (a->days < 1 || a->days > 36500)
		return ifk_cli_usage_error(c, "--days: 1 to 36500");
	/* the PIN of a key on a token is read as a key's passphrase is */
	if (ifk_cli_secrets(c))
		return IFK_EXIT_USAGE;
	rc = ifk_seal_make_cert(c->examiner, a->o.organization, (int)a->days, a->key, a->cert,
	                        c->key.pw, &err);
	ifk_cli_secrets_end(c); /* the token's PIN is wiped as soon as it served */
	if (rc != 0)
		return ifk_cli_fail(c,
		                    err.code == IFK_EIO || err.code == IFK_ECRYPTO ||
		                            err.code == IFK_ENOMEM
		                        ? IFK_EXIT_IO
		                        : IFK_EXIT_USAGE,
		                    "%s", err.msg);
	if (!c->json && !c->quiet)
		printf("examiner key: %s (keep it private)\nexaminer certificate: %s\n", a->key,
		       a->cert);
	made = json_pack("{s:s, s:s}", "key", a->key, "cert", a->cert);
	code = ifk_cli_emit(c, made, "made", IFK_EXIT_OK, NULL);
	json_decref(made);
	return code;
}

static int hand_password(void *ctx, char **pw, size_t *len)
{
	struct args *a = ctx;

	if (!(*pw = malloc(a->pw_len + 1)))
		return -1;
	memcpy(*pw, a->pw, a->pw_len + 1);
	*len = a->pw_len;
	return 0;
}

const char *verify_now(struct ifk_cli *c, struct args *a, const char *bag)
{
	struct ifk_verify_opts vo = {.target = bag, .examiner = c->examiner};
	struct ifk_error err = {0};
	json_t *report = NULL;
	int pass, wrong;

	if (!a->pw)
		return NULL;
	vo.password = hand_password;
	vo.password_ctx = a;
	ifk_verify_run(&vo, &report, &err);
	if (!report)
		fprintf(stderr, "ifk-acquire: verification: %s\n", err.msg);
	pass = report && strcmp(ifk_cli_str(report, "verdict"), "PASS") == 0;
	wrong = report && ifk_verify_wrong_password(report);
	json_decref(report);
	return pass ? "PASS" : wrong ? "FAIL (wrong password)" : "FAIL";
}

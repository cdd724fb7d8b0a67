/* The frame's option parser and --help: the tool's table and the common
 * options, parsed one way for every tool (include/ifk/cli.h). */
#include <ifk/cli.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* The common options: one meaning each, in every tool that takes them. */
enum { C_ALWAYS = 0 };

struct common {
	struct ifk_cli_opt opt;
	unsigned needs; /* IFK_CLI_* the tool must take, or C_ALWAYS */
	size_t field;   /* offset of the value in struct ifk_cli */
};

#define FIELD(f) offsetof(struct ifk_cli, f)

static const struct common commons[] = {
    {{"password-file", 0, IFK_CLI_STRING, "F", "the backup password's file (- for standard input)",
      NULL},
     IFK_CLI_PASSWORD,
     FIELD(password_file)},
    {{"key-password-file", 0, IFK_CLI_STRING, "F",
      "the examiner key's passphrase file (- for stdin)", NULL},
     IFK_CLI_KEY_PASSWORD,
     FIELD(key_password_file)},
    {{"trust", 0, IFK_CLI_STRING, "CERT", "the seal's signer must chain to these PEM certs", NULL},
     IFK_CLI_TRUST,
     FIELD(trust)},
    {{"read-only", 0, IFK_CLI_FLAG, NULL, "append nothing to any custody log", NULL},
     IFK_CLI_READ_ONLY,
     FIELD(read_only)},
    {{"examiner", 0, IFK_CLI_STRING, "NAME", "the examiner, named in the custody entry", NULL},
     IFK_CLI_EXAMINER,
     FIELD(examiner)},
    {{"json", 0, IFK_CLI_FLAG, NULL, "one JSON object on standard output, also on errors", NULL},
     C_ALWAYS,
     FIELD(json)},
    {{"quiet", 'q', IFK_CLI_FLAG, NULL, "print only the last line (and errors)", NULL},
     C_ALWAYS,
     FIELD(quiet)},
    {{"verbose", 'v', IFK_CLI_FLAG, NULL, "every finding, none capped, and the time taken",
      NULL},
     C_ALWAYS,
     FIELD(verbose)},
    {{"progress", 0, IFK_CLI_FLAG, NULL, "show percent and time left, even with no terminal", NULL},
     C_ALWAYS,
     FIELD(progress)},
    {{"help", 'h', IFK_CLI_FLAG, NULL, "print this help and exit", NULL}, C_ALWAYS, 0},
    {{"version", 0, IFK_CLI_FLAG, NULL, "print the version and exit", NULL}, C_ALWAYS, 0},
};
#define NCOMMON (sizeof(commons) / sizeof(commons[0]))

/* An option the parser knows: the tool's or a common one, with where its
 * value goes. */
struct known {
	const struct ifk_cli_opt *opt;
	void *dest;
};

static int takes(const struct ifk_cli *c, const struct common *k)
{
	return k->needs == C_ALWAYS || (c->tool->common & k->needs);
}

static void *common_dest(struct ifk_cli *c, const struct common *k)
{
	return k->field ? (char *)c + k->field : NULL;
}

/* Calls fn for every option the tool takes, its own first; stops at fn's
 * first non-zero return and returns it. */
static int each_opt(struct ifk_cli *c, int (*fn)(void *ctx, const struct known *k), void *ctx)
{
	const struct ifk_cli_opt *o;
	struct known k;
	size_t i;
	int rc;

	for (o = c->opts; o && o->name; o++) {
		k.opt = o;
		k.dest = o->dest;
		if ((rc = fn(ctx, &k)) != 0)
			return rc;
	}
	for (i = 0; i < NCOMMON; i++) {
		if (!takes(c, &commons[i]))
			continue;
		k.opt = &commons[i].opt;
		k.dest = common_dest(c, &commons[i]);
		if ((rc = fn(ctx, &k)) != 0)
			return rc;
	}
	return 0;
}

/* ---- --help ---- */

static int help_line(void *ctx, const struct known *k)
{
	const struct ifk_cli_opt *o = k->opt;
	char left[64];

	(void)ctx;
	snprintf(left, sizeof(left), "%c%c%c --%s%s%s%s", o->letter ? '-' : ' ',
	         o->letter ? o->letter : ' ', o->letter ? ',' : ' ', o->name,
	         o->arg == IFK_CLI_OPTIONAL ? " ["
	         : o->meta                  ? " "
	                                    : "",
	         o->meta ? o->meta : "", o->arg == IFK_CLI_OPTIONAL ? "]" : "");
	printf("  %-26s %s\n", left, o->help);
	return 0;
}

static void print_usage(FILE *f, const struct ifk_cli_tool *t)
{
	size_t i;

	for (i = 0; t->synopsis[i]; i++)
		fprintf(f, "%s %s %s\n", i ? "   or:" : "usage:", t->name, t->synopsis[i]);
}

/* One command; a newline in it continues the command on the next line. */
static void print_example(const char *s)
{
	fputs("  ", stdout);
	for (; *s; s++)
		if (*s == '\n')
			fputs(" \\\n      ", stdout);
		else
			putchar(*s);
	putchar('\n');
}

static void print_help(struct ifk_cli *c)
{
	const struct ifk_cli_tool *t = c->tool;
	size_t i;

	print_usage(stdout, t);
	printf("\n%c%s.\n\nOptions:\n", toupper((unsigned char)t->purpose[0]), t->purpose + 1);
	each_opt(c, help_line, NULL);
	printf("\nExamples:\n");
	for (i = 0; t->examples[i]; i++)
		print_example(t->examples[i]);
	printf("\n%s\nThe manual: man %s (%s.1 in the sources).\n", t->exit_codes, t->name,
	       t->name);
}

/* ---- suggestions ---- */

/* The edit distance between a and b (insertions, deletions, substitutions
 * and swaps of neighbours), for names of up to 63 characters. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[64][64];

	if (la > 63 || lb > 63)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

#define NEAR_MAX 3 /* the options named when several are as near */

struct nearest {
	const char *typed;
	const char *best[NEAR_MAX];
	size_t n, score;
};

static int consider(void *ctx, const struct known *k)
{
	struct nearest *n = ctx;
	size_t d = distance(n->typed, k->opt->name);

	/* a name cut short is as near as one typo */
	if (strncmp(k->opt->name, n->typed, strlen(n->typed)) == 0 && d > 1)
		d = 1;
	if (d < n->score) {
		n->score = d;
		n->n = 0;
	}
	if (d == n->score && n->n < NEAR_MAX)
		n->best[n->n++] = k->opt->name;
	return 0;
}

/* The known long options nearest to typed (without "--"), as "--a", "--a
 * or --b", "--a, --b or --c"; "" when none is near enough to be a likely
 * typo. */
static void nearest(struct ifk_cli *c, const char *typed, char *out, size_t cap)
{
	struct nearest n = {typed, {NULL}, 0, 99};
	size_t len = strlen(typed), i, used = 0;

	out[0] = '\0';
	each_opt(c, consider, &n);
	if (!n.n || !len || n.score > (len < 6 ? 1u : len < 12 ? 2u : 3u))
		return;
	for (i = 0; i < n.n && used < cap; i++) {
		int w = snprintf(out + used, cap - used, "%s--%s",
		                 i == 0 ? "" : i + 1 == n.n ? " or " : ", ", n.best[i]);
		used += w > 0 ? (size_t)w : 0;
	}
}

/* ---- parsing ---- */

struct lookup {
	const char *name; /* a long name (len bytes), or NULL */
	size_t len;
	char letter;
	struct known found;
};

static int match(void *ctx, const struct known *k)
{
	struct lookup *l = ctx;

	if (l->name ? strlen(k->opt->name) == l->len && !strncmp(k->opt->name, l->name, l->len)
	            : k->opt->letter == l->letter) {
		l->found = *k;
		return 1;
	}
	return 0;
}

struct parser {
	struct ifk_cli *c;
	int argc, i;
	char **argv;
	int help, version;
};

static int unknown(struct parser *p, const char *name, size_t len, char letter)
{
	char typed[128], near[160];

	if (letter)
		return ifk_cli_usage_error(p->c, "unknown option -%c", letter);
	snprintf(typed, sizeof(typed), "%.*s", (int)(len < 100 ? len : 100), name);
	nearest(p->c, typed, near, sizeof(near));
	if (near[0])
		return ifk_cli_usage_error(p->c, "unknown option --%s; did you mean %s?", typed,
		                           near);
	return ifk_cli_usage_error(p->c, "unknown option --%s", typed);
}

static int set_number(struct parser *p, const struct ifk_cli_opt *o, const char *v, long *dest)
{
	char *end = NULL;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno)
		return ifk_cli_usage_error(p->c, "--%s: not a whole number: %s", o->name, v);
	*dest = n;
	return 0;
}

/* Stores the option's value: value is what came with it (--opt=V or -oV),
 * or NULL. */
static int take(struct parser *p, const struct known *k, const char *value)
{
	const struct ifk_cli_opt *o = k->opt;

	if (o->arg == IFK_CLI_FLAG && value)
		return ifk_cli_usage_error(p->c, "--%s takes no value", o->name);
	if (o->arg == IFK_CLI_OPTIONAL && !value && p->i + 1 < p->argc &&
	    p->argv[p->i + 1][0] != '-')
		value = p->argv[++p->i];
	if ((o->arg == IFK_CLI_STRING || o->arg == IFK_CLI_NUMBER ||
	     o->arg == IFK_CLI_DURATION) && !value) {
		if (p->i + 1 >= p->argc)
			return ifk_cli_usage_error(p->c, "--%s needs a value (%s)", o->name,
			                           o->meta ? o->meta : "a value");
		value = p->argv[++p->i];
	}
	if (strcmp(o->name, "help") == 0)
		p->help = 1;
	else if (strcmp(o->name, "version") == 0)
		p->version = 1;
	else if (o->arg == IFK_CLI_FLAG)
		*(int *)k->dest = 1;
	else if (o->arg == IFK_CLI_NUMBER)
		return set_number(p, o, value, k->dest);
	else if (o->arg == IFK_CLI_DURATION && ifk_duration_parse(value, k->dest) != 0)
		return ifk_cli_usage_error(p->c,
		                           "--%s: %s is not a duration (a whole number and s, m, h, "
		                           "d or w, more than zero: 90m, 24h, 7d)",
		                           o->name, value);
	else if (o->arg != IFK_CLI_DURATION)
		*(const char **)k->dest = value ? value : "";
	return 0;
}

static int long_option(struct parser *p, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct lookup l = {arg, eq ? (size_t)(eq - arg) : strlen(arg), 0, {0}};

	if (!each_opt(p->c, match, &l))
		return unknown(p, l.name, l.len, 0);
	return take(p, &l.found, eq ? eq + 1 : NULL);
}

/* -q, -qv, -o DIR, -oDIR */
static int short_options(struct parser *p, const char *arg)
{
	for (; *arg; arg++) {
		struct lookup l = {NULL, 0, *arg, {0}};
		if (!each_opt(p->c, match, &l))
			return unknown(p, NULL, 0, *arg);
		if (l.found.opt->arg != IFK_CLI_FLAG)
			return take(p, &l.found, arg[1] ? arg + 1 : NULL);
		if (take(p, &l.found, NULL))
			return IFK_EXIT_USAGE;
	}
	return 0;
}

static int operand(struct parser *p, char *word)
{
	struct ifk_cli *c = p->c;

	if (c->noperands >= c->tool->max_operands)
		return ifk_cli_usage_error(c, "unexpected argument: %s", word);
	/* argv[1 .. noperands] were read already: the operands gather there */
	p->argv[1 + c->noperands] = word;
	c->operands = p->argv + 1;
	c->noperands++;
	return 0;
}

static int parse(struct parser *p)
{
	int rc = 0, only_operands = 0;

	for (p->i = 1; !rc && p->i < p->argc; p->i++) {
		char *a = p->argv[p->i];
		if (only_operands || a[0] != '-' || !a[1])
			rc = operand(p, a);
		else if (strcmp(a, "--") == 0)
			only_operands = 1;
		else if (a[1] == '-')
			rc = long_option(p, a + 2);
		else
			rc = short_options(p, a + 1);
	}
	return rc;
}

/* --json anywhere on the line (before "--") asks for the envelope, also
 * for a usage error found before it. */
static int wants_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			return 1;
	return 0;
}

int ifk_cli_start(struct ifk_cli *c, int argc, char **argv)
{
	struct parser p = {c, argc, 0, argv, 0, 0};

	clock_gettime(CLOCK_MONOTONIC, &c->started);
	c->json = wants_json(argc, argv);
	if (parse(&p) != 0)
		return c->exit = IFK_EXIT_USAGE, 1;
	if (p.help || p.version) {
		if (p.help)
			print_help(c);
		else
			printf("%s %s\n", c->tool->name, IFK_VERSION);
		return c->exit = IFK_EXIT_OK, 1;
	}
	if (!c->target && c->noperands)
		c->target = c->operands[0];
	c->pw.file = c->password_file;
	c->key.file = c->key_password_file;
	ifk_cli_init();
	return 0;
}

int ifk_cli_usage_error(struct ifk_cli *c, const char *fmt, ...)
{
	struct ifk_error e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	ifk_cli_emit(c, NULL, "error", IFK_EXIT_USAGE, e.msg);
	if (!c->json) {
		print_usage(stderr, c->tool);
		fprintf(stderr, "(%s --help describes every option)\n", c->tool->name);
	}
	return IFK_EXIT_USAGE;
}

/* The command-line frame of the four tools. Each tool's main.c declares its
 * own options in a table (struct ifk_cli_opt) and hands argv to the frame,
 * which gives every tool the same parser, the same --help (one line per
 * option, examples, exit codes), the same common options with one meaning
 * each, the same secrets hand-over, the same progress line and the same
 * ending: one JSON envelope with --json (also on errors), else one-line
 * diagnostics on standard error.
 *
 * The frame is the tools' shared front, and so the one part of libifk that
 * prints (to standard output and standard error): every other library
 * function only returns codes and messages. It never exits: it returns the
 * exit code for main to return. */
#ifndef IFK_CLI_H
#define IFK_CLI_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <ifk/error.h>
#include <ifk/progress.h>

/* Exit codes, the same in every tool (README.md, CASE_FORMAT.md section 6). */
enum {
	IFK_EXIT_OK = 0,
	IFK_EXIT_NEGATIVE = 1, /* a negative result: anomalies, FAIL, findings */
	IFK_EXIT_USAGE = 2,
	IFK_EXIT_IO = 3,
	IFK_EXIT_REFUSED = 4,        /* ifk-parse and ifk-report: input refused */
	IFK_EXIT_WRONG_PASSWORD = 5, /* the backup password given is not the backup's */
	IFK_EXIT_INTR = 130,
};

/* ---- the option table ---- */

enum ifk_cli_arg {
	IFK_CLI_FLAG,     /* no value: dest is an int, set to 1 */
	IFK_CLI_STRING,   /* a value (--opt V, --opt=V, -o V, -oV): dest is a const char * */
	IFK_CLI_NUMBER,   /* a whole number: dest is a long */
	IFK_CLI_OPTIONAL, /* an optional value (--opt=V, or the next word when it does not
	                   * begin with '-'): dest is a const char *, "" without a value */
	IFK_CLI_DURATION, /* a duration ("90m", "24h", "7d"; ifk_duration_parse's rules):
	                   * dest is an int64_t, in seconds */
};

struct ifk_cli_opt {
	const char *name; /* the long name, without "--"; NULL ends the table */
	char letter;      /* the short form, or 0 */
	enum ifk_cli_arg arg;
	const char *meta; /* the value's name in --help ("DIR"); NULL for a flag */
	const char *help; /* one line */
	void *dest;
};

/* The common options a tool takes besides --json, -q/--quiet, -v/--verbose,
 * --progress, -h/--help and --version, which every tool takes. Each means
 * the same wherever it is taken. */
enum {
	IFK_CLI_PASSWORD = 1 << 0,     /* --password-file F: the backup password */
	IFK_CLI_KEY_PASSWORD = 1 << 1, /* --key-password-file F: the examiner key's passphrase */
	IFK_CLI_TRUST = 1 << 2,        /* --trust CERT */
	IFK_CLI_READ_ONLY = 1 << 3,    /* --read-only: nothing appended to a custody log */
	IFK_CLI_EXAMINER = 1 << 4,     /* --examiner NAME */
};

/* max_operands for a tool that takes any number of operands. */
#define IFK_CLI_ANY_OPERANDS (1 << 30)

/* What a tool says of itself in --help and usage messages. */
struct ifk_cli_tool {
	const char *name;            /* "ifk-verify" */
	const char *purpose;         /* one line */
	const char *const *synopsis; /* the usage lines after the name, NULL-ended */
	const char *const *examples; /* whole command lines, NULL-ended */
	const char *exit_codes;      /* "Exit: 0 ..., 1 ...": the last lines of --help */
	unsigned common;             /* IFK_CLI_* */
	int max_operands;            /* words that are not options, or IFK_CLI_ANY_OPERANDS */
};

/* A secret read up front, so that a bad file is a usage error before any
 * work and the environment holds no secret while the work runs: the backup
 * password (--password-file, else IFK_PASSWORD, else the terminal when the
 * engine asks) or the examiner key's passphrase (--key-password-file, else
 * IFK_KEY_PASSWORD, else none). */
struct ifk_cli_password {
	const char *file;   /* --password-file or --key-password-file, or NULL */
	const char *prompt; /* for the terminal ("Backup password: ") */
	char *pw;           /* read from file or taken from the environment, until handed over */
	size_t len;
	int handed;           /* the file's password was handed over */
	struct ifk_error err; /* why the last ifk_cli_password_get failed */
};

/* The progress line's state (the frame's own). */
struct ifk_cli_meter {
	const char *verb; /* "read", "copied and hashed" */
	int on, tty, printed;
	struct timespec start, last;
	uint64_t files, bytes, files_total, bytes_total; /* the largest seen */
	double pct;                                      /* the largest reached, or -1 */
	int shown;                                       /* the whole percent last shown, or -1 */
	uint64_t waited_shown; /* the silence last shown, in seconds (0: none) */
};

/* One run of a tool. The tool fills tool, opts, stop and on_signal; the
 * frame fills the rest. */
struct ifk_cli {
	const struct ifk_cli_tool *tool;
	const struct ifk_cli_opt *opts; /* the tool's own options, NULL-ended */
	volatile sig_atomic_t *stop;    /* the tool's flag, set by on_signal */
	void (*on_signal)(int);
	/* the common options, as given */
	int json, quiet, verbose, progress, read_only;
	int json_lines; /* set by the tool: the envelope on one line (after JSON Lines) */
	const char *password_file, *key_password_file, *trust, *examiner;
	char **operands; /* the words that are not options, in order (argv's own slots,
	                  * which the parser moves to its front) */
	int noperands;
	/* the run */
	const char *target;              /* the envelope's target: the first operand unless set */
	struct ifk_cli_password pw, key; /* after ifk_cli_secrets */
	struct ifk_cli_meter meter;
	struct timespec started;
	int exit; /* what main returns when ifk_cli_start returns non-zero */
};

/* Parses argv by c->opts and the common options the tool takes, then sets
 * the library's process-wide limits. Returns 0 to go on, or 1 when main
 * should return c->exit at once: --help or --version was printed (0), or a
 * usage error (2): an unknown option (with the nearest known one: "did you
 * mean --out?"), a missing or unexpected value, too many operands. */
int ifk_cli_start(struct ifk_cli *c, int argc, char **argv);

/* A usage error found by the tool: "<tool>: <message>", the usage lines and
 * a pointer to --help on standard error, the envelope with --json. Returns
 * IFK_EXIT_USAGE. */
int ifk_cli_usage_error(struct ifk_cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Takes IFK_PASSWORD and IFK_KEY_PASSWORD out of the environment and reads
 * the password files the tool takes (ifk_password_read's rules); checks that the
 * --trust certificate can be read. 0, or IFK_EXIT_USAGE after saying why. */
int ifk_cli_secrets(struct ifk_cli *c);
/* After the work: wipes what was not handed over and says why the engine's
 * request for a password failed, if it did. */
void ifk_cli_secrets_end(struct ifk_cli *c);

/* SIGINT, SIGTERM and SIGHUP call c->on_signal. */
void ifk_cli_signals(struct ifk_cli *c);

/* The progress line on standard error, when it is a terminal (and neither
 * -q nor --json was given) or --progress asks for it: returns
 * ifk_cli_progress (its ctx is c) and starts the clock, or NULL. */
ifk_progress_fn ifk_cli_meter(struct ifk_cli *c, const char *verb);
/* "<tool>: 34% 12 of 20 files, 3.4 of 10.0 MiB read, 12.0 MiB/s, 0:05 left":
 * the percentage from the source's own figure, else the bytes, else the
 * files against their totals, and the time left from the pace so far. The
 * numbers shown never go down, the percentage stays below 100 until the
 * end, and lines come at most twice a second unless the percentage grows. */
void ifk_cli_progress(void *ctx, const struct ifk_progress *p);
/* An ifk_waiting_fn for the same meter: "<tool>: the device is preparing
 * the backup: 2 min so far", on a terminal each second, else each minute;
 * nothing when the meter is off. */
void ifk_cli_waiting(void *ctx, const char *doing, uint64_t waited_s);
/* Ends the line: done (the work finished) shows 100% when a percentage was
 * known. */
void ifk_cli_meter_end(struct ifk_cli *c, int done);

/* Fills the members that ifk_verify_opts, ifk_parse_opts and
 * ifk_report_opts share from the run c: --trust, --examiner, --read-only,
 * the backup password (c->pw), the stop flag and the progress line. */
#define IFK_CLI_ENGINE_OPTS(o, c)                                                                  \
	do {                                                                                       \
		(o)->trust_path = (c)->trust;                                                      \
		(o)->examiner = (c)->examiner;                                                     \
		(o)->read_only = (c)->read_only;                                                   \
		(o)->password = ifk_cli_password_get;                                              \
		(o)->password_ctx = &(c)->pw;                                                      \
		(o)->stop = (c)->stop;                                                             \
		(o)->progress = ifk_cli_meter((c), "read");                                        \
		(o)->progress_ctx = (c);                                                           \
	} while (0)

/* Ends a run. With --json, prints the envelope on standard output: "tool",
 * "version", "target", "outcome", "exit_code" and, when error is not NULL,
 * "error" (one line), then the payload's members (may be NULL; borrowed)
 * that are not already there. Without --json, error (when given) goes to
 * standard error as "<tool>: <error>", and -v adds the time taken. Returns
 * code. */
int ifk_cli_emit(struct ifk_cli *c, json_t *payload, const char *outcome, int code,
                 const char *error);
/* ifk_cli_emit without a payload, outcome "error" ("interrupted" for
 * IFK_EXIT_INTR). */
int ifk_cli_fail(struct ifk_cli *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The usual exit code for a library code: 0, IFK_EXIT_INTR (IFK_EINTR),
 * IFK_EXIT_USAGE (IFK_EINVAL, IFK_EEXIST) or IFK_EXIT_IO. */
int ifk_cli_exit_code(int rc);

/* Lists items (a JSON array of objects) a few of each kind: items of one
 * kind have the same "check", "level" and "kind" and the same reason
 * ("reason", else "detail") up to its first colon, digits aside. Each kind
 * comes in the order it first appears: its first keep items through show,
 * then "<indent>and N more like this". keep 0 lists every item. */
void ifk_cli_list_capped(json_t *items, size_t keep, const char *indent,
                         void (*show)(void *ctx, json_t *item), void *ctx);

/* An ifk_password_fn (ctx is the struct ifk_cli_password): hands over the
 * password read up front once, or asks on the terminal. Returns -1
 * when there is none (p->err says why; code IFK_ENOTFOUND when there was
 * simply no source). */
int ifk_cli_password_get(void *ctx, char **pw, size_t *len);
/* Wipes and frees a password never handed over. */
void ifk_cli_password_wipe(struct ifk_cli_password *p);

/* A JSON object's member as a string ("" when absent or not a string), or
 * as an integer (0 when absent). For printing reports. */
const char *ifk_cli_str(json_t *o, const char *key);
long long ifk_cli_num(json_t *o, const char *key);

/* Writes s to f with control characters as \xNN and a backslash as \\, so
 * that a hostile name can neither fake an output line nor drive the
 * terminal. */
void ifk_cli_put_safe(FILE *f, const char *s);

/* Writes s to f as ifk_text_escape does: for text that ifk has already
 * escaped (a verification report's names and reasons), whose "\xNN" stays
 * as it is rather than being escaped a second time. */
void ifk_cli_put_text(FILE *f, const char *s);

/* Once at a tool's start (ifk_cli_start does it): the limits the library
 * keeps for the whole process (SQLite's memory cap for databases from
 * evidence). */
void ifk_cli_init(void);

#endif

/* Command line. Each fault plays one real-world failure (see faults[]). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devsim.h"

enum {
	OPT_SOCKET = 256,
	OPT_BACKUP,
	OPT_LOG,
	OPT_UDID,
	OPT_UNPAIRED,
	OPT_REFUSE_PAIR,
	OPT_LOCKED,
	OPT_FAULT,
	OPT_FAULT_FILE,
	OPT_STALL,
	OPT_NO_LONG_NAME,
	OPT_SERVICE_SSL,
	OPT_WILL_ENCRYPT,
	OPT_SET,
	OPT_CLOCK_OFFSET,
	OPT_TIMEZONE,
	OPT_TZ_OFFSET,
	OPT_VERSION,
};

static const struct option long_opts[] = {
    {"socket", required_argument, NULL, OPT_SOCKET},
    {"backup", required_argument, NULL, OPT_BACKUP},
    {"log", required_argument, NULL, OPT_LOG},
    {"udid", required_argument, NULL, OPT_UDID},
    {"unpaired", no_argument, NULL, OPT_UNPAIRED},
    {"refuse-pair", optional_argument, NULL, OPT_REFUSE_PAIR},
    {"locked", no_argument, NULL, OPT_LOCKED},
    {"fault", required_argument, NULL, OPT_FAULT},
    {"fault-file", required_argument, NULL, OPT_FAULT_FILE},
    {"stall-seconds", required_argument, NULL, OPT_STALL},
    {"no-long-name", no_argument, NULL, OPT_NO_LONG_NAME},
    {"service-ssl", no_argument, NULL, OPT_SERVICE_SSL},
    {"will-encrypt", required_argument, NULL, OPT_WILL_ENCRYPT},
    {"set", required_argument, NULL, OPT_SET},
    {"clock-offset", required_argument, NULL, OPT_CLOCK_OFFSET},
    {"timezone", required_argument, NULL, OPT_TIMEZONE},
    {"tz-offset", required_argument, NULL, OPT_TZ_OFFSET},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static const struct fault_name {
	const char *name;
	unsigned bit;
	const char *what; /* the real-world fault */
} faults[] = {
    {"drop-mid-file", FAULT_DROP_MID_FILE,
     "connection lost halfway through a file (cable pulled, device rebooted)"},
    {"corrupt-byte", FAULT_CORRUPT_BYTE,
     "one byte of one file flipped in transit (bad cable or hub); undetectable"},
    {"stall", FAULT_STALL, "the device stops sending mid-file for --stall-seconds"},
    {"error-code", FAULT_ERROR_CODE, "the backup ends with ErrorCode 105 (MBErrorDomain)"},
    {"file-error", FAULT_FILE_ERROR, "a file the device could not read to the end"},
    {"unfinished", FAULT_UNFINISHED, "Status.plist says SnapshotState \"uploading\""},
    {"hostile-paths", FAULT_HOSTILE_PATHS,
     "names with ../, absolute, with NUL, over 4096 bytes (malicious device)"},
    {"unknown-message", FAULT_UNKNOWN_MESSAGE, "DLMessageFrobnicate before the uploads"},
    {"refuse-service", FAULT_REFUSE_SERVICE,
     "mobilebackup2 is InvalidService (restricted or crashed)"},
    {"oversized-frame", FAULT_OVERSIZED_FRAME, "a DeviceLink frame length of 0x7fffffff"},
    {"move-remove", FAULT_MOVE_REMOVE, "CopyItem, MoveItems, ContentsOfDirectory, Remove*"},
    {"cancel", FAULT_CANCEL, "the user cancels on the device (syncCancelRequest)"},
    {"bad-moves", FAULT_BAD_MOVES,
     "moves onto or into themselves and from absent sources (a buggy device)"},
    {"status-moved", FAULT_STATUS_MOVED, "Status.plist moved out of the backup's top"},
    {"nul-key-move", FAULT_NUL_KEY_MOVE,
     "MoveItems whose source (a UTF-16 dictionary key) holds U+0000"},
    {"nul-in-values", FAULT_NUL_IN_VALUES,
     "lockdownd sends each U+2400 of a value (--set) as U+0000"},
    {"slow-start", FAULT_SLOW_START,
     "silent for --stall-seconds after the Backup request (a large snapshot)"},
    {"slow-manifest", FAULT_SLOW_MANIFEST,
     "silent for --stall-seconds before Manifest.db (a large file index)"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
	        "usage: %s --socket PATH [--backup DIR] [options]\n"
	        "  --socket PATH        the UNIX socket to serve usbmuxd on\n"
	        "  --backup DIR         the backup folder (with Manifest.plist) to serve\n"
	        "  --log FILE           append a log of what happens to FILE\n"
	        "  --udid UDID          the device's UDID (default: the backup's)\n"
	        "  --set KEY=VALUE      a lockdownd value (string), e.g. ProductVersion=9.3.5\n"
	        "  --unpaired           start with no pair record (hosts must pair)\n"
	        "  --refuse-pair[=pending|denied]  the user does not tap Trust\n"
	        "  --locked             passcode locked: Pair and StartService fail\n"
	        "  --will-encrypt yes|no  a backup password is set (default: the backup's)\n"
	        "  --clock-offset S     the device clock runs S seconds ahead of the host\n"
	        "  --timezone NAME      TimeZone (default UTC); --tz-offset S its offset\n"
	        "  --service-ssl        TLS on service connections too\n"
	        "  --fault NAME         inject a fault (repeatable):\n",
	        SIM_PROG);
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		fprintf(f, "      %-16s %s\n", faults[i].name, faults[i].what);
	fprintf(f,
	        "  --fault-file REL     the file the data faults hit (default: the largest)\n"
	        "  --stall-seconds N    for stall, slow-start, slow-manifest (default %d)\n"
	        "  --no-long-name       hostile-paths without the over-long name\n"
	        "  -v, --verbose        log to stderr too\n"
	        "Prints \"ready\" on stdout once listening; exits 0 on SIGTERM.\n",
	        SIM_DEFAULT_STALL);
}

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "%s: bad %s: %s\n", SIM_PROG, what, arg);
	return -1;
}

static int parse_double(const char *arg, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	return errno || end == arg || *end ? -1 : 0;
}

static int add_fault(struct sim_opts *o, const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (strcmp(arg, faults[i].name) == 0) {
			o->faults |= faults[i].bit;
			return 0;
		}
	}
	return bad("fault", arg);
}

static int add_value(struct sim_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char key[256];

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(key))
		return bad("--set", arg);
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	plist_dict_set_item(o->overrides, key, plist_new_string(eq + 1));
	return 0;
}

static int one_more(struct sim_opts *o, int c, const char *arg)
{
	char *end;

	switch (c) {
	case OPT_FAULT:
		return add_fault(o, arg);
	case OPT_SET:
		return add_value(o, arg);
	case OPT_STALL:
		o->stall_seconds = (unsigned)strtoul(arg, &end, 10);
		return *arg && !*end && o->stall_seconds <= 3600 ? 0 : bad("--stall-seconds", arg);
	case OPT_REFUSE_PAIR:
		if (!arg || strcmp(arg, "pending") == 0)
			o->refuse_pair = REFUSE_PENDING;
		else if (strcmp(arg, "denied") == 0)
			o->refuse_pair = REFUSE_DENIED;
		else
			return bad("--refuse-pair", arg);
		return 0;
	case OPT_WILL_ENCRYPT:
		if (strcmp(arg, "yes") != 0 && strcmp(arg, "no") != 0)
			return bad("--will-encrypt", arg);
		o->will_encrypt = strcmp(arg, "yes") == 0;
		return 0;
	case OPT_CLOCK_OFFSET:
		return parse_double(arg, &o->clock_offset) ? bad("--clock-offset", arg) : 0;
	case OPT_TZ_OFFSET:
		return parse_double(arg, &o->tz_offset) ? bad("--tz-offset", arg) : 0;
	default:
		return bad("option", arg ? arg : "?");
	}
}

static int one(struct sim_opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_SOCKET:
		o->socket_path = arg;
		return 0;
	case OPT_BACKUP:
		o->backup_dir = arg;
		return 0;
	case OPT_LOG:
		o->log_path = arg;
		return 0;
	case OPT_UDID:
		o->udid = arg;
		return *arg && strlen(arg) < 64 ? 0 : bad("--udid", arg);
	case OPT_UNPAIRED:
		o->unpaired = 1;
		return 0;
	case OPT_LOCKED:
		o->locked = 1;
		return 0;
	case OPT_FAULT_FILE:
		o->fault_file = arg;
		return 0;
	case OPT_NO_LONG_NAME:
		o->no_long_name = 1;
		return 0;
	case OPT_SERVICE_SSL:
		o->service_ssl = 1;
		return 0;
	case OPT_TIMEZONE:
		o->timezone = arg;
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	default:
		return one_more(o, c, arg);
	}
}

int sim_options(struct sim_opts *o, int argc, char **argv)
{
	int c;

	o->stall_seconds = SIM_DEFAULT_STALL;
	o->will_encrypt = -1;
	o->timezone = "UTC";
	o->overrides = plist_new_dict();
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return SIM_EXIT_OK;
		}
		if (c == OPT_VERSION) {
			printf("%s %s\n", SIM_PROG, IFK_VERSION);
			return SIM_EXIT_OK;
		}
		if (c == '?' || one(o, c, optarg) < 0) {
			usage(stderr);
			return SIM_EXIT_USAGE;
		}
	}
	if (optind < argc || !o->socket_path) {
		fprintf(stderr, "%s: %s\n", SIM_PROG,
		        optind < argc ? "unexpected argument" : "--socket is required");
		usage(stderr);
		return SIM_EXIT_USAGE;
	}
	return -1;
}

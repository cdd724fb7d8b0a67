/* How far long work has come, as the engines (acquire, verify, parse,
 * report) tell their caller: what is done, and what there is to do when it
 * is known up front, so that the caller can show a percentage and the time
 * left (ifk_cli_progress draws the line). */
#ifndef IFK_PROGRESS_H
#define IFK_PROGRESS_H

#include <stdint.h>

struct ifk_progress {
	uint64_t files, bytes;             /* done so far; they never go down */
	uint64_t files_total, bytes_total; /* all there is to do, 0 when not known */
	double percent;                    /* the source's own figure (a device's), or -1 */
};

/* Called often (after every file and every chunk read): the callee keeps
 * its own pace. p is valid during the call only. */
typedef void (*ifk_progress_fn)(void *ctx, const struct ifk_progress *p);

/* Called about once a second while the source is silent: what it is doing
 * ("the device is preparing the backup") and for how long so far. */
typedef void (*ifk_waiting_fn)(void *ctx, const char *doing, uint64_t waited_s);

#endif

/* com.apple.mobilebackup2: the DeviceLink version exchange, then a table of
 * handlers for what the host sends (ProcessMessage requests, Disconnect),
 * and the Backup request's sequence: GetFreeDiskSpace, CreateDirectory per
 * folder, one UploadFiles batch, the final Response. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "devsim.h"

#define DL_VERSION_MAJOR 300
#define ERR_NO_SPACE 105  /* MBErrorDomain: insufficient free disk space */
#define ERR_CANCELLED 202 /* the simulator's code for a cancelled backup */
#define ERR_FAILED 1      /* the simulator's code for what it cannot do */

enum { DL_GO_ON = 0, DL_END = -1 };

static int version_exchange(struct dl *d)
{
	plist_t msg = dl_msg("DLMessageVersionExchange"), reply = NULL;
	const char *ok;
	int rc = -1;

	plist_array_append_item(msg, plist_new_uint(DL_VERSION_MAJOR));
	plist_array_append_item(msg, plist_new_uint(0));
	if (dl_send(d, msg) < 0 || frame_recv(d->c, &reply) < 0)
		goto out;
	ok = array_str(reply, 1);
	if (!array_str(reply, 0) || strcmp(array_str(reply, 0), "DLMessageVersionExchange") != 0 ||
	    !ok || strcmp(ok, "DLVersionsOk") != 0) {
		sim_log(d->s, "devicelink: version exchange refused");
		goto out;
	}
	rc = dl_send(d, dl_msg("DLMessageDeviceReady"));
out:
	plist_free(reply);
	return rc;
}

/* Protocol 2.1 when the host offers it, else 2.0, else ErrorCode 1. */
static int rq_hello(struct dl *d, plist_t req)
{
	plist_t versions = plist_dict_get_item(req, "SupportedProtocolVersions"), extra;
	double best = 0;
	uint32_t i;

	for (i = 0;
	     plist_get_node_type(versions) == PLIST_ARRAY && i < plist_array_get_size(versions);
	     i++) {
		double v = 0;

		plist_get_real_val(plist_array_get_item(versions, i), &v);
		if ((v == 2.0 || v == 2.1) && v > best)
			best = v;
	}
	if (best == 0)
		return dl_response(d, 1, "No common protocol version", NULL) < 0 ? DL_END
		                                                                 : DL_GO_ON;
	extra = plist_new_dict();
	plist_dict_set_item(extra, "ProtocolVersion", plist_new_real(best));
	return dl_response(d, 0, NULL, extra) < 0 ? DL_END : DL_GO_ON;
}

/* --fault oversized-frame: a frame length no host should allocate. */
static int oversized_frame(struct dl *d)
{
	unsigned char p[4 + 16] = {0x7f, 0xff, 0xff, 0xff};

	memcpy(p + 4, "bplist00", 8);
	sim_log(d->s, "fault oversized-frame: frame length 0x7fffffff, then closed");
	conn_write(d->c, p, sizeof(p));
	shutdown(d->c->fd, SHUT_RDWR);
	d->dead = 1;
	return DL_END;
}

/* Free space, then the folders; 0, ERR_NO_SPACE, or -1. */
static int prepare(struct dl *d, const struct up_list *l)
{
	plist_t payload = NULL;
	uint64_t code = 0, free_space = 0;
	size_t i;
	char path[8192];

	if ((d->s->o.faults & FAULT_SLOW_START)) {
		/* a device with much to snapshot says nothing for minutes */
		sim_log(d->s, "fault slow-start: silent for %u s", d->s->o.stall_seconds);
		if (sim_sleep(d->s, d->s->o.stall_seconds))
			return -1;
	}
	if (dl_command(d, dl_msg("DLMessageGetFreeDiskSpace"), &code, &payload) < 0)
		return -1;
	if (plist_get_node_type(payload) == PLIST_UINT)
		plist_get_uint_val(payload, &free_space);
	plist_free(payload);
	if (code == 0 && free_space < l->total) {
		sim_log(d->s, "backup: host has %llu bytes free, %llu needed",
		        (unsigned long long)free_space, (unsigned long long)l->total);
		return ERR_NO_SPACE;
	}
	for (i = 0; i < l->ndirs; i++) {
		plist_t msg = dl_msg("DLMessageCreateDirectory");

		snprintf(path, sizeof(path), "%s/%s", d->s->udid, l->dirs[i]);
		plist_array_append_item(msg, plist_new_string(path));
		if (dl_command(d, msg, &code, NULL) < 0)
			return -1;
	}
	if ((d->s->o.faults & FAULT_UNKNOWN_MESSAGE) && backup_unknown_message(d) < 0)
		return -1;
	return 0;
}

/* The batch and what follows it; the final Response's code, or -1. */
static int transfer(struct dl *d, const struct up_list *l)
{
	uint64_t code = 0;
	int rc = upload_batch(d, l);

	if (rc == UP_DROPPED) {
		shutdown(d->c->fd, SHUT_RDWR);
		d->dead = 1;
	}
	if (rc == UP_DROPPED || rc == UP_IOERR || dl_status(d, -1, &code, NULL) < 0)
		return -1;
	if (code)
		sim_log(d->s, "backup: host reported status %lld for the upload",
		        (long long)(int64_t)code);
	if (rc == UP_CANCELLED)
		return ERR_CANCELLED;
	if ((d->s->o.faults & FAULT_MOVE_REMOVE) && backup_move_remove(d) < 0)
		return -1;
	if ((d->s->o.faults & FAULT_BAD_MOVES) && backup_bad_moves(d) < 0)
		return -1;
	if ((d->s->o.faults & FAULT_STATUS_MOVED) && backup_status_moved(d) < 0)
		return -1;
	if ((d->s->o.faults & FAULT_NUL_KEY_MOVE) && backup_nul_key_move(d) < 0)
		return -1;
	/* a device that fails at the end (disk full on the host's side as
	 * the device saw it, snapshot failure) */
	if (d->s->o.faults & FAULT_ERROR_CODE)
		return ERR_NO_SPACE;
	return 0;
}

static const char *describe(int code)
{
	switch (code) {
	case 0:
		return NULL;
	case ERR_NO_SPACE:
		return "Insufficient free disk space on drive to upload files (MBErrorDomain/105)";
	case ERR_CANCELLED:
		return "Backup cancelled on the device";
	default:
		return "Backup failed on the device";
	}
}

static int rq_backup(struct dl *d, plist_t req)
{
	const char *target = dict_str(req, "TargetIdentifier");
	struct up_list l;
	int rc;

	if (!d->s->o.backup_dir)
		return dl_response(d, ERR_FAILED, "No backup to serve (no --backup)", NULL) < 0
		           ? DL_END
		           : DL_GO_ON;
	if (target && strcasecmp(target, d->s->udid) != 0)
		sim_log(d->s, "backup: TargetIdentifier %s is not this device", target);
	pthread_mutex_lock(&d->s->lock);
	d->s->cancel = 0;
	pthread_mutex_unlock(&d->s->lock);
	if (upload_scan(d->s, &l) < 0)
		return dl_response(d, ERR_FAILED, "Cannot read the backup", NULL) < 0 ? DL_END
		                                                                      : DL_GO_ON;
	sim_log(d->s, "backup: %zu files, %zu folders, %llu bytes", l.n, l.ndirs,
	        (unsigned long long)l.total);
	if (d->s->o.faults & FAULT_OVERSIZED_FRAME)
		rc = oversized_frame(d);
	else
		rc = prepare(d, &l);
	if (rc == 0)
		rc = transfer(d, &l);
	upload_free(&l);
	if (rc < 0 || d->dead)
		return DL_END;
	sim_log(d->s, "backup: final response, ErrorCode %d", rc);
	return dl_response(d, (uint64_t)rc, describe(rc), NULL) < 0 ? DL_END : DL_GO_ON;
}

static int rq_cloud(struct dl *d, plist_t req)
{
	return dl_response(d, 0, NULL, NULL) < 0 ? DL_END : DL_GO_ON;
}

static int rq_unsupported(struct dl *d, plist_t req)
{
	sim_log(d->s, "backup: %s is not supported", dict_str(req, "MessageName"));
	return dl_response(d, ERR_FAILED, "Not supported by ifk-devsim", NULL) < 0 ? DL_END
	                                                                           : DL_GO_ON;
}

static const struct request {
	const char *name;
	int (*fn)(struct dl *d, plist_t req);
} requests[] = {
    {"Hello", rq_hello},
    {"Backup", rq_backup},
    {"Info", backup_info},
    {"List", backup_list},
    {"ChangePassword", backup_change_password},
    {"EnableCloudBackup", rq_cloud},
    {"Restore", rq_unsupported},
    {"Unback", rq_unsupported},
};

static int on_process_message(struct dl *d, plist_t msg)
{
	plist_t req = plist_array_get_item(msg, 1);
	const char *name = dict_str(req, "MessageName");
	size_t i;

	for (i = 0; name && i < sizeof(requests) / sizeof(requests[0]); i++)
		if (strcmp(name, requests[i].name) == 0) {
			sim_log(d->s, "backup: request %s", name);
			return requests[i].fn(d, req);
		}
	sim_log(d->s, "backup: unknown request %s", name ? name : "(none)");
	return dl_response(d, ERR_FAILED, "Unknown request", NULL) < 0 ? DL_END : DL_GO_ON;
}

static int on_disconnect(struct dl *d, plist_t msg)
{
	sim_log(d->s, "backup: host disconnected");
	return DL_END;
}

static const struct dl_handler {
	const char *name;
	int (*fn)(struct dl *d, plist_t msg);
} dl_handlers[] = {
    {"DLMessageProcessMessage", on_process_message},
    {"DLMessageDisconnect", on_disconnect},
};

static int dl_step(struct dl *d)
{
	plist_t msg = NULL;
	const char *name;
	size_t i;
	int rc = DL_GO_ON;

	if (frame_recv(d->c, &msg) < 0)
		return DL_END;
	name = array_str(msg, 0);
	for (i = 0; i < sizeof(dl_handlers) / sizeof(dl_handlers[0]); i++)
		if (name && strcmp(name, dl_handlers[i].name) == 0)
			break;
	if (i < sizeof(dl_handlers) / sizeof(dl_handlers[0]))
		rc = dl_handlers[i].fn(d, msg);
	else
		sim_log(d->s, "devicelink: ignored %s from the host",
		        name ? name : "(not a message)");
	plist_free(msg);
	return rc;
}

void backup_serve(struct sim *s, struct conn *c)
{
	struct dl d = {.s = s, .c = c};

	if (version_exchange(&d) < 0)
		return;
	while (dl_step(&d) == DL_GO_ON && !d.dead)
		;
}

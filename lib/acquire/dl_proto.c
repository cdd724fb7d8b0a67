/* The host side of the mobilebackup2 DeviceLink protocol: the device drives,
 * the host answers each message through a table of handlers. Every file is
 * hashed as it arrives, and enters the seal only once it arrived whole. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "acquire_int.h"
#include "core.h"

#define CODE_SUCCESS 0x00
#define CODE_ERROR_LOCAL 0x06
#define CODE_ERROR_REMOTE 0x0b
#define CODE_FILE_DATA 0x0c
#define MSG_MAX (64 * 1024)
#define DEV_NAME_SKIP (1024 * 1024)

static int dl_map_path(const struct dev *d, const char *devpath, size_t len, char **rel,
                       const char **why)
{
	return ifk_device_path(d->udid, devpath, len, rel, why);
}

/* ---- the work database of received files ---- */

/* ---- the raw stream ---- */

static int read_be32(struct dev *d, uint32_t *v, struct ifk_error *err)
{
	uint32_t be;
	int rc = acq_dl_read_exact(d, &be, 4, err);

	*v = ntohl(be);
	return rc;
}

/* A length-prefixed name; *name is malloc'd, *len its byte count. Names
 * over IFK_DEVICE_NAME_MAX are read (and then refused) up to DEV_NAME_SKIP; a
 * longer length cannot be a name: a protocol error. */
static int read_name(struct dev *d, char **name, uint32_t *len, struct ifk_error *err)
{
	int rc = read_be32(d, len, err);

	*name = NULL;
	if (rc || *len == 0)
		return rc;
	if (*len > DEV_NAME_SKIP)
		return ifk_error_set(err, IFK_EFORMAT, "protocol error: a file name of %u bytes",
		                     *len);
	*name = malloc(*len + 1);
	if (!*name)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	rc = acq_dl_read_exact(d, *name, *len, err);
	(*name)[*len] = '\0';
	return rc;
}

/* Answers the device's last message; payload is borrowed. */
static int respond(struct dev *d, int code, const char *desc, plist_t payload,
                   struct ifk_error *err)
{
	return acq_dl_status(d, code, desc, payload, err);
}

/* ---- DLMessageUploadFiles: the files themselves ---- */

/* A device-side error for this file: its message, at most MSG_MAX kept. */
static int read_message(struct dev *d, uint32_t n, char *msg, size_t cap, struct ifk_error *err)
{
	uint32_t keep = n < cap - 1 ? n : (uint32_t)(cap - 1), rest = n - keep;
	int rc = acq_dl_read_exact(d, msg, keep, err);

	msg[keep] = '\0';
	while (!rc && rest > 0) {
		uint32_t room, chunk;
		uint8_t *at = acq_dl_file_room(d, NULL, &room);
		chunk = rest < room ? rest : room;
		rc = acq_dl_read_exact(d, at, chunk, err);
		rest -= chunk;
	}
	return rc;
}

/* One data block of n bytes, read into the store's buffer (dl_store.c says
 * when it is hashed and written). */
static int file_data(struct dev *d, struct acq_dl_file *f, uint32_t n, struct ifk_error *err)
{
	while (n > 0) {
		uint32_t room, chunk;
		uint8_t *at = acq_dl_file_room(d, f, &room);
		int rc;
		chunk = n < room ? n : room;
		if ((rc = acq_dl_read_exact(d, at, chunk, err)) != 0)
			return rc;
		acq_dl_file_took(d, f, chunk);
		if ((rc = acq_dl_check(d, err)) != 0)
			return rc; /* the disk is full: at once, not at the file's end */
		n -= chunk;
	}
	return 0;
}

/* The blocks of one file. Returns 0, 1 when the stream ended inside it,
 * or a negative code. */
static int incoming_blocks(struct dev *d, struct acq_dl_file *in, struct ifk_error *err)
{
	char msg[MSG_MAX];

	for (;;) {
		uint32_t n;
		uint8_t code;
		int rc = read_be32(d, &n, err);
		if (!rc && n == 0) {
			acq_dl_file_drop(d, in, "partial", "the stream ended inside the file");
			return 1;
		}
		if (!rc)
			rc = acq_dl_read_exact(d, &code, 1, err);
		if (rc)
			return rc;
		if (code == CODE_FILE_DATA) {
			if ((rc = file_data(d, in, n - 1, err)) != 0)
				return rc;
		} else if (code == CODE_SUCCESS) {
			if (n > 1 && (rc = read_message(d, n - 1, msg, sizeof(msg), err)) != 0)
				return rc;
			return acq_dl_file_done(d, in, err);
		} else if (code == CODE_ERROR_REMOTE) {
			if ((rc = read_message(d, n - 1, msg, sizeof(msg), err)) != 0)
				return rc;
			acq_dl_file_drop(d, in, "device-error", msg);
			return 0;
		} else {
			return ifk_error_set(err, IFK_EFORMAT,
			                     "protocol error: unknown block code 0x%02x in %s",
			                     code, in->name);
		}
	}
}

/* One file: 0, 1 at the end of the batch, or a negative code. */
static int receive_one(struct dev *d, struct ifk_error *err)
{
	struct acq_dl_file in = {.dir = -1, .fd = -1};
	char *devname = NULL;
	uint32_t dlen = 0, blen = 0;
	int rc;

	rc = read_name(d, &devname, &dlen, err);
	free(devname);
	if (rc || dlen == 0)
		return rc ? rc : 1;
	d->wait = ACQ_WAIT_FILE;
	rc = read_name(d, &in.name, &blen, err);
	if (!rc && blen == 0)
		rc = ifk_error_set(err, IFK_EFORMAT, "protocol error: a file without a name");
	if (!rc) {
		acq_dl_file_open(d, &in, blen);
		rc = acq_dl_check(d, err);
	}
	if (!rc)
		rc = incoming_blocks(d, &in, err);
	if (rc < 0 && in.fd >= 0)
		acq_dl_file_drop(d, &in, "partial", err ? err->msg : "the transfer failed");
	acq_dl_file_free(&in);
	d->wait = ACQ_WAIT_NEXT;
	return rc;
}

static int upload_files(struct dev *d, plist_t msg, struct ifk_error *err)
{
	plist_t progress = plist_array_get_item(msg, 2);
	int rc = 0;

	if (plist_get_node_type(progress) == PLIST_REAL) {
		plist_get_real_val(progress, &d->device_progress);
		acq_dl_device_percent(d, d->device_progress);
	}
	while (rc == 0)
		rc = receive_one(d, err);
	if (rc < 0)
		return rc;
	return respond(d, 0, NULL, NULL, err);
}

/* ---- the other messages ---- */

static char *string_at(plist_t msg, uint32_t i, uint64_t *len)
{
	plist_t node = plist_array_get_item(msg, i);
	char *s = NULL;

	*len = 0;
	if (plist_get_node_type(node) == PLIST_STRING)
		plist_get_string_val(node, &s);
	if (s)
		*len = strlen(s);
	return s;
}

static int free_space(struct dev *d, plist_t msg, struct ifk_error *err)
{
	uint64_t bytes = 0;
	plist_t n;
	int rc;

	(void)msg;
	if (acq_dl_free_bytes(d, &bytes) != 0)
		return respond(d, -1, strerror(errno), NULL, err);
	n = plist_new_uint(bytes);
	rc = respond(d, 0, NULL, n, err);
	plist_free(n);
	return rc;
}

/* Maps the path in a message, answering and noting a refusal. */
static int mapped(struct dev *d, const char *what, const char *path, char **rel,
                  struct ifk_error *err, int *rc)
{
	const char *why = NULL;

	if (path && dl_map_path(d, path, strlen(path), rel, &why) == 0)
		return 1;
	acq_dl_note(d, "refused-path", path ? path : "", why ? why : "no path");
	*rc = respond(d, -1, what, NULL, err);
	return 0;
}

static int create_directory(struct dev *d, plist_t msg, struct ifk_error *err)
{
	uint64_t len;
	char *path = string_at(msg, 1, &len), *rel = NULL;
	int rc = 0;

	if (mapped(d, "refused: the path leaves the backup folder", path, &rel, err, &rc)) {
		if (!*rel || acq_dl_mkdir(d, rel) == 0)
			rc = respond(d, 0, NULL, NULL, err);
		else
			rc = respond(d, -1, strerror(errno), NULL, err);
	}
	free(rel);
	free(path);
	return rc;
}

static void move_note(struct dev *d, const char *kind, const char *from, const char *to,
                      const char *why)
{
	char detail[600];

	snprintf(detail, sizeof(detail), "to %.280s: %s", to ? to : "(none)", why);
	acq_dl_note(d, kind, from, detail);
}

static int move_items(struct dev *d, plist_t msg, struct ifk_error *err)
{
	plist_t moves = plist_array_get_item(msg, 1);
	plist_dict_iter it = NULL;
	char *key = NULL;
	plist_t val = NULL;
	int code = 0;

	if (plist_get_node_type(moves) == PLIST_DICT)
		plist_dict_new_iter(moves, &it);
	while (it) {
		char *to = NULL, *src = NULL, *dst = NULL;
		const char *why = NULL;
		plist_dict_next_item(moves, it, &key, &val);
		if (!key)
			break;
		if (plist_get_node_type(val) == PLIST_STRING)
			plist_get_string_val(val, &to);
		if (!to || dl_map_path(d, key, strlen(key), &src, &why) != 0 ||
		    dl_map_path(d, to, strlen(to), &dst, &why) != 0 || !*src || !*dst) {
			move_note(d, "refused-path", key, to,
			          why ? why : "a move that leaves the backup");
			code = -1;
		} else if (acq_dl_move(d, src, dst, &why) != 0) {
			move_note(d, "move-failed", key, to, why);
			code = -1;
		} else {
			acq_dl_event(d, "moved", key, to);
		}
		free(key);
		free(to);
		free(src);
		free(dst);
		key = NULL;
	}
	free(it);
	return respond(d, code, code ? "some moves failed" : NULL, NULL, err);
}

static int remove_items(struct dev *d, plist_t msg, struct ifk_error *err)
{
	plist_t list = plist_array_get_item(msg, 1);
	uint32_t i, n = plist_get_node_type(list) == PLIST_ARRAY ? plist_array_get_size(list) : 0;
	int code = 0;

	for (i = 0; i < n; i++) {
		char *path = NULL, *rel = NULL;
		const char *why = NULL;
		plist_t item = plist_array_get_item(list, i);
		if (plist_get_node_type(item) == PLIST_STRING)
			plist_get_string_val(item, &path);
		if (!path || dl_map_path(d, path, strlen(path), &rel, &why) != 0 || !*rel) {
			acq_dl_note(d, "refused-path", path ? path : "",
			            why ? why : "removing the backup");
			code = -1;
		} else {
			acq_dl_remove(d, path, rel, &code);
		}
		free(path);
		free(rel);
	}
	return respond(d, code, code ? "some paths were refused" : NULL, NULL, err);
}

/* Copies a received file inside data/ (the copy is hashed as written). */
static int copy_item(struct dev *d, plist_t msg, struct ifk_error *err)
{
	uint64_t l1, l2;
	char *src = string_at(msg, 1, &l1), *dst = string_at(msg, 2, &l2), *rs = NULL, *rd = NULL;
	const char *why = NULL;
	int code = -1, rc;

	if (src && dst && dl_map_path(d, src, l1, &rs, &why) == 0 &&
	    dl_map_path(d, dst, l2, &rd, &why) == 0 && *rs && *rd)
		code = acq_dl_copy(d, dst, rs, rd, err);
	else
		acq_dl_note(d, "refused-path", src ? src : "",
		            why ? why : "a copy that leaves the backup");
	if (code == 0)
		acq_dl_event(d, "copied", src, dst);
	rc = respond(d, code, code ? "copy failed" : NULL, NULL, err);
	free(src);
	free(dst);
	free(rs);
	free(rd);
	return rc;
}

static int contents_of_directory(struct dev *d, plist_t msg, struct ifk_error *err)
{
	uint64_t len;
	char *path = string_at(msg, 1, &len), *rel = NULL;
	int rc = 0;

	if (mapped(d, "refused: the path leaves the backup folder", path, &rel, err, &rc)) {
		plist_t list = acq_dl_list(d, rel);
		rc = respond(d, 0, NULL, list, err);
		plist_free(list);
	}
	free(rel);
	free(path);
	return rc;
}

/* There is no earlier backup on this host: every file asked for is missing. */
static int download_files(struct dev *d, plist_t msg, struct ifk_error *err)
{
	plist_t list = plist_array_get_item(msg, 1);
	uint32_t i, n = plist_get_node_type(list) == PLIST_ARRAY ? plist_array_get_size(list) : 0;
	static const char nofile[] = "No such file or directory";
	uint32_t zero = 0;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		char *p = NULL, hdr[5];
		uint32_t be;
		plist_t item = plist_array_get_item(list, i);
		if (plist_get_node_type(item) == PLIST_STRING)
			plist_get_string_val(item, &p);
		if (!p || !*p) {
			free(p);
			continue; /* a zero length would end the list for the device */
		}
		be = htonl((uint32_t)strlen(p));
		rc = acq_dl_send_raw(d, &be, 4, err);
		if (!rc)
			rc = acq_dl_send_raw(d, p, (uint32_t)strlen(p), err);
		be = htonl((uint32_t)sizeof(nofile));
		memcpy(hdr, &be, 4);
		hdr[4] = CODE_ERROR_LOCAL;
		if (!rc)
			rc = acq_dl_send_raw(d, hdr, 5, err);
		if (!rc)
			rc = acq_dl_send_raw(d, nofile, sizeof(nofile) - 1, err);
		free(p);
	}
	if (!rc)
		rc = acq_dl_send_raw(d, &zero, 4, err);
	return rc ? rc : respond(d, n ? -13 : 0, n ? "Multi status" : NULL, NULL, err);
}

/* The device's final word: ErrorCode 0 is success. Ends the loop. */
static int process_message(struct dev *d, plist_t msg, struct ifk_error *err)
{
	plist_t body = plist_array_get_item(msg, 1), code, desc;
	uint64_t ec = 0;
	char *s = NULL;

	(void)err;
	code =
	    plist_get_node_type(body) == PLIST_DICT ? plist_dict_get_item(body, "ErrorCode") : NULL;
	desc = code ? plist_dict_get_item(body, "ErrorDescription") : NULL;
	d->finished = 1;
	d->error_code = -1;
	if (plist_get_node_type(code) == PLIST_UINT) {
		plist_get_uint_val(code, &ec);
		d->error_code = (int64_t)ec;
	}
	if (plist_get_node_type(desc) == PLIST_STRING)
		plist_get_string_val(desc, &s);
	snprintf(d->error_desc, sizeof(d->error_desc), "%s", s ? s : "");
	free(s);
	return 1;
}

static int disconnect(struct dev *d, plist_t msg, struct ifk_error *err)
{
	(void)msg;
	(void)err;
	if (!d->finished)
		snprintf(d->protocol_msg, sizeof(d->protocol_msg),
		         "the device disconnected before its final response");
	return 1;
}

struct handler {
	const char *name;
	int (*fn)(struct dev *d, plist_t msg, struct ifk_error *err);
};

static const struct handler handlers[] = {
    {"DLMessageGetFreeDiskSpace", free_space},
    {"DLMessageCreateDirectory", create_directory},
    {"DLMessageUploadFiles", upload_files},
    {"DLMessageDownloadFiles", download_files},
    {"DLMessageMoveItems", move_items},
    {"DLMessageMoveFiles", move_items},
    {"DLMessageRemoveItems", remove_items},
    {"DLMessageRemoveFiles", remove_items},
    {"DLMessageCopyItem", copy_item},
    {"DLContentsOfDirectory", contents_of_directory},
    {"DLMessageProcessMessage", process_message},
    {"DLMessageDisconnect", disconnect},
};

static int dispatch(struct dev *d, const char *name, plist_t msg, struct ifk_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(name, handlers[i].name) == 0)
			return handlers[i].fn(d, msg, err);
	acq_dl_note(d, "unknown-message", name, "answered with an error status");
	return respond(d, -1, "Unknown DeviceLink message", NULL, err);
}

/* The name of a DeviceLink message: its first item. */
static char *message_name(plist_t msg)
{
	plist_t first =
	    plist_get_node_type(msg) == PLIST_ARRAY ? plist_array_get_item(msg, 0) : NULL;
	char *name = NULL;

	if (plist_get_node_type(first) == PLIST_STRING)
		plist_get_string_val(first, &name);
	return name;
}

int acq_dl_run(struct dev *d, struct ifk_error *err)
{
	int rc = d->sink ? 0 : acq_dl_sink_start(&d->sink, err);

	if (rc)
		return rc;
	d->last_data = time(NULL);
	while (rc == 0) {
		plist_t msg = NULL;
		char *name = NULL;
		rc = acq_dl_recv_plist(d, &msg, err);
		if (!rc && !(name = message_name(msg)))
			rc = ifk_error_set(err, IFK_EFORMAT,
			                   "protocol error: a message without a name");
		if (!rc)
			rc = dispatch(d, name, msg, err);
		if (rc >= 0 && d->fatal.code)
			rc = acq_dl_check(d, err); /* a write into the bag failed */
		plist_free(msg);
		free(name);
	}
	return rc < 0 ? rc : 0;
}

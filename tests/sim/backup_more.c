/* The other mobilebackup2 requests (Info, List, ChangePassword) and the
 * extra DeviceLink commands of --fault unknown-message and move-remove. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "devsim.h"

#define CODE_DATA 0x0C
#define CODE_SUCCESS 0x00
#define MAX_NAME 4096
#define MAX_KEPT (1024u * 1024u)
#define ERR_WRONG_PASSWORD 207 /* the simulator's code for a wrong OldPassword */

/* One file of a DownloadFiles stream; its bytes are kept (up to MAX_KEPT)
 * in *kept when it arrives whole. 1 at the end of the stream. */
static int download_one(struct dl *d, char **kept, size_t *klen)
{
	unsigned char hdr[5], *buf = NULL;
	size_t len = 0;
	uint32_t n;
	int rc = -1;

	if (conn_read(d->c, hdr, 4) < 0 || (n = get_be32(hdr)) > MAX_NAME)
		return -1;
	if (n == 0)
		return 1;
	buf = sim_xmalloc(n);
	if (conn_read(d->c, buf, n) < 0)
		goto out;
	for (;;) {
		uint32_t m;

		if (conn_read(d->c, hdr, 5) < 0 || (m = get_be32(hdr)) == 0 ||
		    m - 1 > SIM_CHUNK * 16u)
			goto out;
		buf = realloc(buf, len + m);
		if (!buf || conn_read(d->c, buf + len, m - 1) < 0)
			goto out;
		if (hdr[4] != CODE_DATA) {
			rc = 0;
			if (hdr[4] == CODE_SUCCESS && len <= MAX_KEPT && !*kept) {
				*kept = (char *)buf;
				*klen = len;
				buf = NULL;
			}
			goto out;
		}
		len += m - 1;
	}
out:
	free(buf);
	return rc;
}

/* Asks the host for <udid>/name; the bytes when it had the file. */
static int download(struct dl *d, const char *name, char **data, size_t *len)
{
	plist_t msg = dl_msg("DLMessageDownloadFiles"), paths = plist_new_array();
	char path[4096];
	uint64_t code;
	int rc;

	*data = NULL;
	*len = 0;
	snprintf(path, sizeof(path), "%s/%s", d->s->udid, name);
	plist_array_append_item(paths, plist_new_string(path));
	plist_array_append_item(msg, paths);
	plist_array_append_item(msg, plist_new_dict());
	plist_array_append_item(msg, plist_new_real(0.0));
	if (dl_send(d, msg) < 0)
		return -1;
	while ((rc = download_one(d, data, len)) == 0)
		;
	if (rc < 0) {
		d->dead = 1;
		return -1;
	}
	return dl_status(d, -1, &code, NULL) < 0 ? -1 : 0;
}

/* Info: the host's Info.plist of this device's last backup, as Content. */
int backup_info(struct dl *d, plist_t req)
{
	plist_t info = NULL, extra = plist_new_dict();
	char *data = NULL, *xml = NULL;
	size_t len = 0;
	uint32_t xlen = 0;

	if (download(d, "Info.plist", &data, &len) < 0) {
		plist_free(extra);
		return -1;
	}
	if (data && len)
		plist_from_memory(data, (uint32_t)len, &info);
	if (info)
		plist_to_xml(info, &xml, &xlen);
	plist_dict_set_item(
	    extra, "Content",
	    plist_new_string(xml ? xml : "No backup of this device on the host.\n"));
	free(data);
	plist_to_xml_free(xml);
	plist_free(info);
	return dl_response(d, 0, NULL, extra) < 0 ? -1 : 0;
}

static void list_line(char **text, size_t *len, const char *name, plist_t entry)
{
	const char *type = dict_str(entry, "DLFileType");
	uint64_t size = 0;
	char line[1024];
	int n;

	plist_get_uint_val(plist_dict_get_item(entry, "DLFileSize"), &size);
	n = snprintf(line, sizeof(line), "%s\t%s\t%llu\n", name, type ? type : "?",
	             (unsigned long long)size);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	*text = realloc(*text, *len + (size_t)n + 1);
	if (!*text)
		abort();
	memcpy(*text + *len, line, (size_t)n + 1);
	*len += (size_t)n;
}

/* List: what the host holds for this device (DLContentsOfDirectory). */
int backup_list(struct dl *d, plist_t req)
{
	plist_t msg = dl_msg("DLContentsOfDirectory"), listing = NULL, extra, val = NULL;
	plist_dict_iter it = NULL;
	char *text = sim_strdup(""), *key = NULL;
	size_t len = 0;
	uint64_t code;

	plist_array_append_item(msg, plist_new_string(d->s->udid));
	if (dl_command(d, msg, &code, &listing) < 0) {
		free(text);
		return -1;
	}
	if (plist_get_node_type(listing) == PLIST_DICT) {
		plist_dict_new_iter(listing, &it);
		for (plist_dict_next_item(listing, it, &key, &val); val;
		     plist_dict_next_item(listing, it, &key, &val)) {
			list_line(&text, &len, key, val);
			free(key);
			key = NULL;
		}
		free(it);
	}
	extra = plist_new_dict();
	plist_dict_set_item(extra, "Content", plist_new_string(text));
	free(text);
	plist_free(listing);
	return dl_response(d, 0, NULL, extra) < 0 ? -1 : 0;
}

static void forget_password(struct sim *s)
{
	if (s->password) {
		OPENSSL_cleanse(s->password, strlen(s->password));
		free(s->password);
		s->password = NULL;
	}
}

/* Sets, changes or removes the backup password; the values are never
 * logged. An unknown current password (a served encrypted backup) accepts
 * any OldPassword. Returns the ErrorCode. */
static int change_password(struct sim *s, const char *old_pw, const char *new_pw)
{
	if (!old_pw && !new_pw)
		return 1;
	if (!s->password_set && old_pw)
		return ERR_WRONG_PASSWORD;
	if (s->password_set && (!old_pw || (s->password && strcmp(old_pw, s->password) != 0)))
		return ERR_WRONG_PASSWORD;
	forget_password(s);
	s->password_set = new_pw != NULL;
	if (new_pw)
		s->password = sim_strdup(new_pw);
	return 0;
}

int backup_change_password(struct dl *d, plist_t req)
{
	struct sim *s = d->s;
	int code;

	pthread_mutex_lock(&s->lock);
	code = change_password(s, dict_str(req, "OldPassword"), dict_str(req, "NewPassword"));
	pthread_mutex_unlock(&s->lock);
	sim_log(s, "backup: ChangePassword -> ErrorCode %d, password %s", code,
	        s->password_set ? "set" : "not set");
	if (code == 0)
		notify_post(s, SIM_NP_BACKUP_CHANGED);
	return dl_response(d, (uint64_t)code, code ? "Wrong or missing password" : NULL, NULL) < 0
	           ? -1
	           : 0;
}

/* --fault unknown-message: a DeviceLink message no host knows (a newer
 * device speaking a newer protocol). A host should answer with an error
 * status and go on; the device waits 2 s for that status. */
int backup_unknown_message(struct dl *d)
{
	plist_t msg = dl_msg("DLMessageFrobnicate"), arg = plist_new_dict();
	uint64_t code = 0;
	int r;

	plist_dict_set_item(arg, "Reason", plist_new_string("ifk-devsim fault injection"));
	plist_array_append_item(msg, arg);
	if (dl_send(d, msg) < 0)
		return -1;
	r = dl_status(d, 2000, &code, NULL);
	if (r == 0)
		sim_log(d->s, "fault unknown-message: host answered with status %lld",
		        (long long)(int64_t)code);
	else if (r == 1)
		sim_log(d->s, "fault unknown-message: no status from the host within 2 s");
	return d->dead ? -1 : 0;
}

static void udid_path(struct dl *d, char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", d->s->udid, name);
}

/* MoveItems / MoveFiles: [cmd, {from: to}, {}, progress] */
static int move(struct dl *d, const char *cmd, const char *from, const char *to)
{
	plist_t msg = dl_msg(cmd), moves = plist_new_dict();
	char a[4096], b[4096];
	uint64_t code;

	udid_path(d, a, sizeof(a), from);
	udid_path(d, b, sizeof(b), to);
	plist_dict_set_item(moves, a, plist_new_string(b));
	plist_array_append_item(msg, moves);
	plist_array_append_item(msg, plist_new_dict());
	plist_array_append_item(msg, plist_new_real(100.0));
	return dl_command(d, msg, &code, NULL);
}

/* RemoveItems / RemoveFiles: [cmd, [paths], {}, progress] */
static int remove_item(struct dl *d, const char *cmd, const char *name)
{
	plist_t msg = dl_msg(cmd), paths = plist_new_array();
	char a[4096];
	uint64_t code;

	udid_path(d, a, sizeof(a), name);
	plist_array_append_item(paths, plist_new_string(a));
	plist_array_append_item(msg, paths);
	plist_array_append_item(msg, plist_new_dict());
	plist_array_append_item(msg, plist_new_real(100.0));
	return dl_command(d, msg, &code, NULL);
}

static int copy_item(struct dl *d, const char *from, const char *to)
{
	plist_t msg = dl_msg("DLMessageCopyItem");
	char a[4096];
	uint64_t code;

	udid_path(d, a, sizeof(a), from);
	plist_array_append_item(msg, plist_new_string(a));
	udid_path(d, a, sizeof(a), to);
	plist_array_append_item(msg, plist_new_string(a));
	return dl_command(d, msg, &code, NULL);
}

/* DLContentsOfDirectory <udid>: logs whether name is listed. */
static int look_for(struct dl *d, const char *name)
{
	plist_t msg = dl_msg("DLContentsOfDirectory"), listing = NULL;
	uint64_t code;

	plist_array_append_item(msg, plist_new_string(d->s->udid));
	if (dl_command(d, msg, &code, &listing) < 0)
		return -1;
	sim_log(d->s, "fault move-remove: the host lists %u entries, %s %s",
	        plist_get_node_type(listing) == PLIST_DICT ? plist_dict_get_size(listing) : 0, name,
	        plist_get_node_type(listing) == PLIST_DICT && plist_dict_get_item(listing, name)
	            ? "among them"
	            : "missing");
	plist_free(listing);
	return 0;
}

/* --fault move-remove: after the batch, the housekeeping a device may ask
 * for (older iOS staged files and moved them into place). The sequence
 * leaves the host's copy equal to the served backup:
 * copy Status.plist to a temporary file, move it and Manifest.plist aside,
 * list the folder, move Manifest.plist back (MoveFiles), remove the
 * temporary file (RemoveItems) and a file that does not exist
 * (RemoveFiles). */
int backup_move_remove(struct dl *d)
{
	plist_t msg = dl_msg("DLMessageMoveItems"), moves = plist_new_dict();
	char a[4096], b[4096];
	uint64_t code;

	sim_log(d->s, "fault move-remove: copy, move, list, move back, remove");
	if (copy_item(d, "Status.plist", "ifk-devsim-copy.tmp") < 0)
		return -1;
	udid_path(d, a, sizeof(a), "Manifest.plist");
	udid_path(d, b, sizeof(b), "Manifest.plist.moved");
	plist_dict_set_item(moves, a, plist_new_string(b));
	udid_path(d, a, sizeof(a), "ifk-devsim-copy.tmp");
	udid_path(d, b, sizeof(b), "ifk-devsim-moved.tmp");
	plist_dict_set_item(moves, a, plist_new_string(b));
	plist_array_append_item(msg, moves);
	plist_array_append_item(msg, plist_new_dict());
	plist_array_append_item(msg, plist_new_real(100.0));
	if (dl_command(d, msg, &code, NULL) < 0 || look_for(d, "ifk-devsim-moved.tmp") < 0 ||
	    move(d, "DLMessageMoveFiles", "Manifest.plist.moved", "Manifest.plist") < 0 ||
	    remove_item(d, "DLMessageRemoveItems", "ifk-devsim-moved.tmp") < 0 ||
	    remove_item(d, "DLMessageRemoveFiles", "ifk-devsim-absent.tmp") < 0)
		return -1;
	return 0;
}

/* --fault bad-moves: moves a careful host must refuse without losing a
 * file: onto itself, into itself, and from a source that is not there onto
 * a received file. */
int backup_bad_moves(struct dl *d)
{
	sim_log(d->s, "fault bad-moves: onto itself, into itself, absent source");
	if (move(d, "DLMessageMoveItems", "Status.plist", "Status.plist") < 0 ||
	    move(d, "DLMessageMoveItems", "Manifest.db", "Manifest.db/child") < 0 ||
	    move(d, "DLMessageMoveFiles", "ifk-devsim-absent.tmp", "Manifest.db") < 0)
		return -1;
	return 0;
}

/* --fault status-moved: Status.plist leaves the backup's top folder after
 * it was sent, so the backup as it stands has none. */
int backup_status_moved(struct dl *d)
{
	sim_log(d->s, "fault status-moved: Status.plist into a subfolder");
	return move(d, "DLMessageMoveItems", "Status.plist", "moved/Status.plist");
}

/* Where the UTF-16 text of a key ending in U+2400 "x" sits in bin. */
static uint8_t *find_marker(uint8_t *bin, uint32_t len)
{
	static const uint8_t mark[] = {0x00, 't', 0x24, 0x00, 0x00, 'x'};
	uint32_t i;

	for (i = 0; i + sizeof(mark) <= len; i++)
		if (memcmp(bin + i, mark, sizeof(mark)) == 0)
			return bin + i + 2;
	return NULL;
}

/* --fault nul-key-move: MoveItems whose one source path, a dictionary key
 * sent in UTF-16, holds U+0000 (a hostile device: libplist 2.2 aborts on
 * such a key when a host walks the dictionary). The key is made with
 * U+2400 in its place, then that character's two bytes are zeroed. */
int backup_nul_key_move(struct dl *d)
{
	plist_t msg = dl_msg("DLMessageMoveItems"), moves = plist_new_dict();
	char a[4096], b[4096], *bin = NULL;
	uint32_t len = 0;
	uint8_t *mark, *frame;
	uint64_t code = 0;
	int r;

	udid_path(d, a, sizeof(a), "Status.plist\xE2\x90\x80x");
	udid_path(d, b, sizeof(b), "ifk-devsim-nul.tmp");
	plist_dict_set_item(moves, a, plist_new_string(b));
	plist_array_append_item(msg, moves);
	plist_array_append_item(msg, plist_new_dict());
	plist_array_append_item(msg, plist_new_real(100.0));
	plist_to_bin(msg, &bin, &len);
	plist_free(msg);
	if (!bin || !(mark = find_marker((uint8_t *)bin, len))) {
		plist_to_bin_free(bin);
		return -1;
	}
	mark[0] = 0;
	frame = sim_xmalloc((size_t)len + 4);
	put_be32(frame, len);
	memcpy(frame + 4, bin, len);
	plist_to_bin_free(bin);
	sim_log(d->s, "fault nul-key-move: MoveItems from %s with U+0000 in the key", a);
	r = conn_write(d->c, frame, (size_t)len + 4);
	free(frame);
	if (r < 0 || (r = dl_status(d, 2000, &code, NULL)) < 0) {
		sim_log(d->s, "fault nul-key-move: the host closed the connection");
		d->dead = 1;
		return -1;
	}
	sim_log(d->s, "fault nul-key-move: host answered %s %lld",
	        r == 1 ? "nothing, timeout" : "status", (long long)(int64_t)code);
	return 0;
}

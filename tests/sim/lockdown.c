/* lockdownd on port 62078: one request, one reply, each a framed XML plist
 * that echoes Request; a failure is an Error key. A table of handlers. */
#include <stdlib.h>
#include <string.h>

#include "devsim.h"

enum ld_after { LD_REPLY, LD_TLS_START, LD_TLS_STOP, LD_CLOSE };

struct ld {
	struct sim *s;
	struct conn *c;
	char *session_id;
	char *host_id; /* of the running session */
};

static int fail(plist_t reply, const char *error)
{
	plist_dict_set_item(reply, "Error", plist_new_string(error));
	return LD_REPLY;
}

static int ld_query_type(struct ld *l, plist_t req, plist_t reply)
{
	plist_dict_set_item(reply, "Type", plist_new_string("com.apple.mobile.lockdown"));
	return LD_REPLY;
}

static int ld_get_value(struct ld *l, plist_t req, plist_t reply)
{
	const char *domain = dict_str(req, "Domain"), *key = dict_str(req, "Key");
	plist_t v = values_get(l->s, domain, key);

	if (domain)
		plist_dict_set_item(reply, "Domain", plist_new_string(domain));
	if (key)
		plist_dict_set_item(reply, "Key", plist_new_string(key));
	if (!v)
		return fail(reply, "MissingValue");
	plist_dict_set_item(reply, "Value", v);
	return LD_REPLY;
}

static int ld_set_value(struct ld *l, plist_t req, plist_t reply)
{
	if (!l->session_id)
		return fail(reply, "SessionInactive");
	sim_log(l->s, "lockdownd: SetValue %s accepted (not stored)",
	        dict_str(req, "Key") ? dict_str(req, "Key") : "(no key)");
	return LD_REPLY;
}

/* A Pair request carries the host's record without its private keys. */
static int ld_pair(struct ld *l, plist_t req, plist_t reply)
{
	struct sim *s = l->s;
	plist_t rec = plist_dict_get_item(req, "PairRecord");
	const char *host_id = dict_str(rec, "HostID");
	plist_t cert = plist_dict_get_item(rec, "DeviceCertificate");
	plist_t bag = plist_dict_get_item(s->pair_record, "EscrowBag");

	if (s->o.locked)
		return fail(reply, "PasswordProtected");
	if (s->o.refuse_pair == REFUSE_PENDING)
		return fail(reply, "PairingDialogResponsePending");
	if (s->o.refuse_pair == REFUSE_DENIED)
		return fail(reply, "UserDeniedPairing");
	if (!host_id || plist_get_node_type(cert) != PLIST_DATA ||
	    plist_get_node_type(plist_dict_get_item(rec, "RootCertificate")) != PLIST_DATA)
		return fail(reply, "InvalidPairRecord");
	pthread_mutex_lock(&s->lock);
	plist_dict_set_item(s->hosts, host_id, plist_copy(cert));
	pthread_mutex_unlock(&s->lock);
	plist_dict_set_item(reply, "EscrowBag", plist_copy(bag));
	sim_log(s, "lockdownd: paired with host %s", host_id);
	return LD_REPLY;
}

static int ld_validate_pair(struct ld *l, plist_t req, plist_t reply)
{
	const char *host_id = dict_str(plist_dict_get_item(req, "PairRecord"), "HostID");

	if (!pairing_trusts(l->s, host_id))
		return fail(reply, "InvalidHostID");
	sim_log(l->s, "lockdownd: pairing validated for host %s", host_id);
	return LD_REPLY;
}

static int ld_unpair(struct ld *l, plist_t req, plist_t reply)
{
	const char *host_id = dict_str(plist_dict_get_item(req, "PairRecord"), "HostID");

	if (!pairing_trusts(l->s, host_id))
		return fail(reply, "InvalidHostID");
	pthread_mutex_lock(&l->s->lock);
	plist_dict_remove_item(l->s->hosts, host_id);
	pthread_mutex_unlock(&l->s->lock);
	sim_log(l->s, "lockdownd: unpaired host %s", host_id);
	return LD_REPLY;
}

static int ld_start_session(struct ld *l, plist_t req, plist_t reply)
{
	const char *host_id = dict_str(req, "HostID");

	if (!host_id)
		return fail(reply, "MissingHostID");
	if (!pairing_trusts(l->s, host_id))
		return fail(reply, "InvalidHostID");
	if (l->session_id)
		return fail(reply, "SessionActive");
	l->session_id = sim_uuid();
	l->host_id = sim_strdup(host_id);
	plist_dict_set_item(reply, "SessionID", plist_new_string(l->session_id));
	plist_dict_set_item(reply, "EnableSessionSSL", plist_new_bool(1));
	return LD_TLS_START;
}

static int ld_stop_session(struct ld *l, plist_t req, plist_t reply)
{
	const char *id = dict_str(req, "SessionID");

	if (!l->session_id)
		return fail(reply, "SessionInactive");
	if (!id || strcmp(id, l->session_id) != 0)
		return fail(reply, "InvalidSessionID");
	free(l->session_id);
	free(l->host_id);
	l->session_id = l->host_id = NULL;
	return LD_TLS_STOP;
}

static int ld_start_service(struct ld *l, plist_t req, plist_t reply)
{
	struct sim *s = l->s;
	const char *name = dict_str(req, "Service");
	uint16_t port = 0;
	int ssl = 0;

	if (name)
		plist_dict_set_item(reply, "Service", plist_new_string(name));
	if (!name)
		return fail(reply, "MissingService");
	if (!l->session_id)
		return fail(reply, "SessionInactive");
	/* a passcode-locked device: the services around a backup still start,
	 * the backup service does not */
	if (s->o.locked && strcmp(name, "com.apple.mobilebackup2") == 0)
		return fail(reply, "PasswordProtected");
	if (service_start(s, name, &port, &ssl) < 0)
		return fail(reply, "InvalidService");
	plist_dict_set_item(reply, "Port", plist_new_uint(port));
	if (ssl)
		plist_dict_set_item(reply, "EnableServiceSSL", plist_new_bool(1));
	sim_log(s, "lockdownd: %s on port %u%s%s", name, port, ssl ? " (TLS)" : "",
	        plist_dict_get_item(req, "EscrowBag") ? " with escrow bag" : "");
	return LD_REPLY;
}

static int ld_goodbye(struct ld *l, plist_t req, plist_t reply)
{
	return LD_CLOSE;
}

static const struct ld_handler {
	const char *request;
	int (*fn)(struct ld *l, plist_t req, plist_t reply);
} ld_handlers[] = {
    {"QueryType", ld_query_type},       {"GetValue", ld_get_value},
    {"SetValue", ld_set_value},         {"Pair", ld_pair},
    {"ValidatePair", ld_validate_pair}, {"Unpair", ld_unpair},
    {"StartSession", ld_start_session}, {"StopSession", ld_stop_session},
    {"StartService", ld_start_service}, {"Goodbye", ld_goodbye},
};

static int ld_dispatch(struct ld *l, plist_t req, plist_t reply)
{
	const char *name = dict_str(req, "Request");
	size_t i;

	if (!name)
		return fail(reply, "InvalidRequest");
	plist_dict_set_item(reply, "Request", plist_new_string(name));
	for (i = 0; i < sizeof(ld_handlers) / sizeof(ld_handlers[0]); i++)
		if (strcmp(name, ld_handlers[i].request) == 0)
			return ld_handlers[i].fn(l, req, reply);
	sim_log(l->s, "lockdownd: unknown request %s", name);
	return fail(reply, "InvalidRequest");
}

static void log_request(struct sim *s, plist_t req, plist_t reply)
{
	const char *what =
	    dict_str(req, "Service") ? dict_str(req, "Service") : dict_str(req, "Key");
	const char *error = dict_str(reply, "Error"), *name = dict_str(req, "Request");

	sim_log(s, "lockdownd: %s%s%s -> %s", name ? name : "?", what ? " " : "", what ? what : "",
	        error ? error : "ok");
}

/* --fault nul-in-values: the reply as a binary plist in which each U+2400
 * between two ASCII characters of a UTF-16 string (set in a value with
 * --set) is U+0000, which libplist 2.2 keeps inside the string (a device
 * that means harm; libimobiledevice blanks control characters only in
 * XML). */
static int send_with_nuls(struct ld *l, plist_t reply)
{
	char *bin = NULL;
	uint32_t len = 0, i;
	unsigned char *buf;
	int rc;

	plist_to_bin(reply, &bin, &len);
	if (!bin)
		return -1;
	buf = sim_xmalloc((size_t)len + 4);
	put_be32(buf, len);
	memcpy(buf + 4, bin, len);
	plist_to_bin_free(bin);
	for (i = 4; i + 6 <= len + 4; i++)
		if (buf[i] == 0 && buf[i + 1] && buf[i + 1] < 0x80 && buf[i + 2] == 0x24 &&
		    buf[i + 3] == 0 && buf[i + 4] == 0 && buf[i + 5] && buf[i + 5] < 0x80)
			buf[i + 2] = 0;
	rc = conn_write(l->c, buf, (size_t)len + 4);
	free(buf);
	return rc;
}

/* One request; 0 to go on, -1 to end the connection. */
static int ld_step(struct ld *l)
{
	plist_t req = NULL, reply;
	int after, rc;

	rc = frame_recv(l->c, &req);
	if (rc < 0) {
		if (rc != -1)
			sim_log(l->s, "lockdownd: malformed frame (%d)", rc);
		return -1;
	}
	reply = plist_new_dict();
	after = ld_dispatch(l, req, reply);
	if (l->s->o.verbose > 1 || dict_str(reply, "Error"))
		log_request(l->s, req, reply);
	plist_free(req);
	rc = l->s->o.faults & FAULT_NUL_IN_VALUES ? send_with_nuls(l, reply)
	                                          : frame_send(l->c, reply, 0);
	plist_free(reply);
	if (rc < 0 || after == LD_CLOSE)
		return -1;
	if (after == LD_TLS_START)
		return conn_tls_start(l->c, l->host_id);
	if (after == LD_TLS_STOP)
		return conn_tls_end(l->c);
	return 0;
}

void lockdown_serve(struct sim *s, struct conn *c)
{
	struct ld l = {.s = s, .c = c};

	while (ld_step(&l) == 0)
		;
	free(l.session_id);
	free(l.host_id);
}

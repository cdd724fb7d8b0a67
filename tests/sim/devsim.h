/* ifk-devsim: a simulated iPhone for ifk's tests (tests only).
 *
 * It plays usbmuxd, lockdownd and the services a backup needs on one UNIX
 * socket, so that Debian's stock libimobiledevice clients and ifk-acquire
 * talk to it as to a real device. The protocol it follows is described in
 * ../shared/docs/device-protocol.md. It links pthreads, libplist and OpenSSL,
 * never libifk or libimobiledevice.
 *
 * One thread per accepted connection. A thread owns its connection's I/O;
 * what threads share lives in struct sim under sim->lock. */
#ifndef DEVSIM_H
#define DEVSIM_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <plist/plist.h>

#define SIM_PROG "ifk-devsim"

#define SIM_EXIT_OK 0
#define SIM_EXIT_USAGE 2
#define SIM_EXIT_IO 3

#define SIM_DEVICE_ID 1
#define SIM_LOCKDOWN_PORT 62078
#define SIM_MAX_PORTS 64
#define SIM_DEFAULT_STALL 40
#define SIM_CHUNK (64 * 1024)
#define SIM_MAX_FRAME (64u * 1024u * 1024u) /* largest lockdown/DeviceLink frame taken */
#define SIM_MAX_MUX (1024u * 1024u)         /* largest usbmuxd packet taken */

#define SIM_NP_CANCEL "com.apple.itunes-client.syncCancelRequest"
#define SIM_NP_BACKUP_CHANGED "com.apple.mobile.backup.domain_changed"

/* Faults, each one a real-world failure (see --help and main.c). */
enum sim_fault {
	FAULT_DROP_MID_FILE = 1u << 0,
	FAULT_CORRUPT_BYTE = 1u << 1,
	FAULT_STALL = 1u << 2,
	FAULT_ERROR_CODE = 1u << 3,
	FAULT_FILE_ERROR = 1u << 4,
	FAULT_UNFINISHED = 1u << 5,
	FAULT_HOSTILE_PATHS = 1u << 6,
	FAULT_UNKNOWN_MESSAGE = 1u << 7,
	FAULT_REFUSE_SERVICE = 1u << 8,
	FAULT_OVERSIZED_FRAME = 1u << 9,
	FAULT_MOVE_REMOVE = 1u << 10,
	FAULT_CANCEL = 1u << 11,
	FAULT_BAD_MOVES = 1u << 12,
	FAULT_STATUS_MOVED = 1u << 13,
	FAULT_NUL_KEY_MOVE = 1u << 14,
	FAULT_NUL_IN_VALUES = 1u << 15,
	FAULT_SLOW_START = 1u << 16,
	FAULT_SLOW_MANIFEST = 1u << 17,
};

enum sim_refusal { REFUSE_NONE, REFUSE_PENDING, REFUSE_DENIED };

enum sim_service { SVC_NONE, SVC_NOTIFY, SVC_AFC, SVC_BACKUP };

struct sim_opts {
	const char *socket_path;
	const char *backup_dir;
	const char *log_path;
	const char *udid;
	const char *fault_file; /* relative path of the file the data faults hit */
	const char *timezone;
	unsigned faults;
	unsigned stall_seconds;
	int unpaired;
	int locked;
	int refuse_pair; /* enum sim_refusal */
	int service_ssl;
	int no_long_name;
	int will_encrypt; /* -1: from the backup's Manifest.plist IsEncrypted */
	int verbose;
	double clock_offset; /* device clock minus host clock, seconds */
	double tz_offset;    /* TimeZoneOffsetFromUTC, seconds */
	plist_t overrides;   /* --set KEY=VALUE, a dict of strings */
};

/* One connection: a socket, TLS on top of it once a session asks for it. */
struct conn {
	int fd;
	SSL *ssl;
	struct sim *sim;
};

struct port_entry {
	uint16_t port;
	int service; /* enum sim_service, SVC_NONE when free */
	int ssl;
};

struct np_client; /* notify.c */

struct sim {
	struct sim_opts o;
	char *udid;
	char *buid;
	plist_t values;      /* lockdownd's default domain, fixed at startup */
	plist_t pair_record; /* the record a pre-seeded host holds */
	SSL_CTX *tls;
	EVP_PKEY *device_key;

	pthread_mutex_t lock; /* guards everything below */
	plist_t mux_records;  /* usbmuxd's store: PairRecordID -> data */
	plist_t hosts;        /* lockdownd's trusted hosts: HostID -> DeviceCertificate */
	struct port_entry ports[SIM_MAX_PORTS];
	uint16_t next_port;
	int password_set;
	char *password; /* NULL when set but unknown (served encrypted backup) */
	int cancel;
	struct np_client *observers;
	const void *afc_lock_owner;
	uint64_t afc_next_handle;
	int stopping;
	pthread_cond_t stop_cv;

	pthread_mutex_t log_lock;
	FILE *log;
};

/* options.c: -1 to run, else the exit status (help, version, usage) */
int sim_options(struct sim_opts *o, int argc, char **argv);

/* log.c */
void sim_log(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sim_sleep(struct sim *s, unsigned seconds); /* 1 when woken by shutdown */
int sim_is_stopping(struct sim *s);
char *sim_uuid(void);
char *sim_strdup(const char *str);
void *sim_xmalloc(size_t n);

/* conn.c: 0 on success, -1 on EOF or error. */
int conn_read(struct conn *c, void *buf, size_t n);
int conn_write(struct conn *c, const void *buf, size_t n);
int conn_readable(struct conn *c, int timeout_ms); /* 1 yes, 0 timeout, -1 error */
int conn_tls_start(struct conn *c, const char *host_id);
int conn_tls_end(struct conn *c);
void put_be32(unsigned char *p, uint32_t v);
uint32_t get_be32(const unsigned char *p);

/* frame.c: lockdown framing, a big-endian length and a plist. */
int frame_send(struct conn *c, plist_t p, int binary);
int frame_recv(struct conn *c, plist_t *out);        /* -1 io, -2 too large, -3 not a plist */
const char *dict_str(plist_t dict, const char *key); /* NULL unless a string */
int dict_bool(plist_t dict, const char *key);
const char *array_str(plist_t arr, uint32_t i);

/* usbmux.c */
void usbmux_serve(struct sim *s, struct conn *c);

/* lockdown.c */
void lockdown_serve(struct sim *s, struct conn *c);

/* values.c: identity and the lockdownd values */
int values_load(struct sim *s);
plist_t values_get(struct sim *s, const char *domain, const char *key); /* caller frees */

/* pairing.c */
int pairing_init(struct sim *s);
void pairing_free(struct sim *s);
int pairing_trusts(struct sim *s, const char *host_id);
void pairing_use_cert(struct sim *s, SSL *ssl, const char *host_id);

/* services.c */
int service_start(struct sim *s, const char *name, uint16_t *port, int *ssl);
int service_claim(struct sim *s, uint16_t port, int *ssl); /* enum sim_service */
void service_run(struct sim *s, struct conn *c, int service, int ssl);

/* notify.c */
void notify_serve(struct sim *s, struct conn *c);
void notify_post(struct sim *s, const char *name);

/* afc.c */
void afc_serve(struct sim *s, struct conn *c);

/* devicelink.c: the DeviceLink side of one mobilebackup2 connection. */
struct dl {
	struct sim *s;
	struct conn *c;
	int dead; /* the connection is gone, or was dropped on purpose */
};
int dl_send(struct dl *d, plist_t msg); /* consumes msg */
int dl_status(struct dl *d, int timeout_ms, uint64_t *code, plist_t *payload);
int dl_command(struct dl *d, plist_t msg, uint64_t *code, plist_t *payload);
int dl_response(struct dl *d, uint64_t code, const char *desc, plist_t extra);
plist_t dl_msg(const char *name);

/* backup.c, backup_more.c */
void backup_serve(struct sim *s, struct conn *c);
int backup_info(struct dl *d, plist_t req);
int backup_list(struct dl *d, plist_t req);
int backup_change_password(struct dl *d, plist_t req);
int backup_move_remove(struct dl *d);
int backup_bad_moves(struct dl *d);
int backup_status_moved(struct dl *d);
int backup_nul_key_move(struct dl *d);
int backup_unknown_message(struct dl *d);

/* upload.c: the files of the served backup, streamed in one batch */
struct up_file {
	char *rel; /* path relative to the backup folder */
	uint64_t size;
};
struct up_list {
	struct up_file *files;
	size_t n, cap;
	char **dirs;
	size_t ndirs, dcap;
	uint64_t total;
};
enum up_result { UP_OK, UP_DROPPED, UP_CANCELLED, UP_IOERR };
int upload_scan(struct sim *s, struct up_list *l);
void upload_free(struct up_list *l);
int upload_batch(struct dl *d, const struct up_list *l); /* enum up_result */

#endif

/* The DeviceLink message loop of ifk-acquire --device (lib/acquire/dl_proto.c,
 * acq_dl_run): the input is what the device sends after the version exchange
 * (framed plists, and the file streams of DLMessageUploadFiles). The
 * service connection is replaced at link time (-Wl,--wrap): receives read
 * the input, sends are dropped. Files land in a bag folder of this
 * process's own, emptied after every input. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acquire_int.h"
#include "fuzz.h"

static const uint8_t *feed;
static size_t feed_len, feed_pos;

idevice_error_t __wrap_idevice_connection_receive_timeout(idevice_connection_t c, char *data,
                                                          uint32_t len, uint32_t *got,
                                                          unsigned int timeout);
idevice_error_t __wrap_idevice_connection_send(idevice_connection_t c, const char *data,
                                               uint32_t len, uint32_t *sent);
idevice_error_t __wrap_idevice_connection_get_fd(idevice_connection_t c, int *fd);

idevice_error_t __wrap_idevice_connection_receive_timeout(idevice_connection_t c, char *data,
                                                          uint32_t len, uint32_t *got,
                                                          unsigned int timeout)
{
	size_t n = feed_len - feed_pos < len ? feed_len - feed_pos : len;

	(void)c;
	(void)timeout;
	*got = (uint32_t)n;
	if (n == 0)
		return IDEVICE_E_UNKNOWN_ERROR; /* the device is gone */
	memcpy(data, feed + feed_pos, n);
	feed_pos += n;
	return IDEVICE_E_SUCCESS;
}

idevice_error_t __wrap_idevice_connection_send(idevice_connection_t c, const char *data,
                                               uint32_t len, uint32_t *sent)
{
	(void)c;
	(void)data;
	*sent = len;
	return IDEVICE_E_SUCCESS;
}

idevice_error_t __wrap_idevice_connection_get_fd(idevice_connection_t c, int *fd)
{
	(void)c;
	*fd = -1;
	return IDEVICE_E_SUCCESS;
}

static struct ifk_acquire_opts opts;
static struct acq a = {.o = &opts, .src_fd = -1, .bag_fd = -1, .data_fd = -1};
static struct dev d = {.a = &a, .timeout_s = 10, .free_answered = -1, .reserve_fd = -1};
static char data_path[4200];

static void setup(void)
{
	static char out[4200];
	struct ifk_error err = {0};

	snprintf(out, sizeof(out), "%s/fuzz.bag", fz_dir());
	opts.out = out;
	opts.timeout_s = 10;
	a.method = "device-backup";
	d.udid = strdup("00008101000a1b2c3d4e001e");
	if (acq_open_bag(&a, &err) != 0 || acq_dl_open_work(&d, &err) != 0) {
		fprintf(stderr, "ifk fuzz: %s\n", err.msg);
		abort();
	}
	snprintf(data_path, sizeof(data_path), "%s%s/data", out, IFK_BAG_INCOMPLETE_SUFFIX);
}

/* Back to an empty bag for the next input. */
static void reset(void)
{
	acq_dl_forget_dirs(&d); /* they are in the tree removed below */
	close(a.data_fd);
	fz_remove_tree(data_path);
	if (mkdir(data_path, 0755) != 0 ||
	    (a.data_fd = open(data_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		abort();
	sqlite3_exec(d.work, "DELETE FROM files", NULL, NULL, NULL);
	json_array_clear(d.log);
	json_array_clear(a.anomalies);
	a.anomaly_count = 0;
	d.finished = 0;
	d.cancelled = 0;
	d.error_code = 0;
	d.error_desc[0] = d.protocol_msg[0] = '\0';
	ifk_error_clear(&d.fatal);
	d.rx_pos = d.rx_len = 0; /* nothing of this input is read ahead into the next */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ifk_error err = {0};

	if (!d.work)
		setup();
	feed = data;
	feed_len = size;
	feed_pos = 0;
	acq_dl_run(&d, &err);
	acq_dl_sink_drain(d.sink);
	reset();
	return 0;
}

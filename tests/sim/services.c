/* Services started through lockdownd: StartService hands out a port, the
 * host's next usbmuxd Connect to that port (one only) reaches the service. */
#include <string.h>

#include "devsim.h"

#define PORT_BASE 49152
#define PORT_SPAN 16000

static const struct service_name {
	const char *name;
	int service;
} service_names[] = {
    {"com.apple.mobile.notification_proxy", SVC_NOTIFY},
    {"com.apple.afc", SVC_AFC},
    {"com.apple.mobilebackup2", SVC_BACKUP},
};

static int lookup(struct sim *s, const char *name)
{
	size_t i;

	/* --fault refuse-service: a device whose backup service is disabled
	 * or not running (MDM restriction, crashed BackupAgent2) */
	if ((s->o.faults & FAULT_REFUSE_SERVICE) && strcmp(name, "com.apple.mobilebackup2") == 0)
		return SVC_NONE;
	for (i = 0; i < sizeof(service_names) / sizeof(service_names[0]); i++)
		if (strcmp(name, service_names[i].name) == 0)
			return service_names[i].service;
	return SVC_NONE;
}

static int port_taken(struct sim *s, uint16_t port)
{
	int i;

	for (i = 0; i < SIM_MAX_PORTS; i++)
		if (s->ports[i].service != SVC_NONE && s->ports[i].port == port)
			return 1;
	return 0;
}

/* Real devices enable service TLS for none of these three; --service-ssl
 * turns it on to exercise a host's TLS path on service connections. */
int service_start(struct sim *s, const char *name, uint16_t *port, int *ssl)
{
	int svc = lookup(s, name), slot;

	if (svc == SVC_NONE)
		return -1;
	pthread_mutex_lock(&s->lock);
	do {
		*port = (uint16_t)(PORT_BASE + s->next_port);
		s->next_port = (uint16_t)((s->next_port + 1) % PORT_SPAN);
	} while (port_taken(s, *port));
	/* the slot of this port number; an unclaimed older port is dropped */
	slot = *port % SIM_MAX_PORTS;
	s->ports[slot].port = *port;
	s->ports[slot].service = svc;
	s->ports[slot].ssl = s->o.service_ssl;
	pthread_mutex_unlock(&s->lock);
	*ssl = s->o.service_ssl;
	return 0;
}

int service_claim(struct sim *s, uint16_t port, int *ssl)
{
	int i, svc = SVC_NONE;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < SIM_MAX_PORTS; i++) {
		if (s->ports[i].service != SVC_NONE && s->ports[i].port == port) {
			svc = s->ports[i].service;
			*ssl = s->ports[i].ssl;
			s->ports[i].service = SVC_NONE;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return svc;
}

void service_run(struct sim *s, struct conn *c, int service, int ssl)
{
	if (ssl && conn_tls_start(c, NULL) < 0)
		return;
	switch (service) {
	case SVC_NOTIFY:
		notify_serve(s, c);
		break;
	case SVC_AFC:
		afc_serve(s, c);
		break;
	case SVC_BACKUP:
		backup_serve(s, c);
		break;
	default:
		break;
	}
}

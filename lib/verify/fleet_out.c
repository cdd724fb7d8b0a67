/* The fleet check's outputs: a row as one line for people, the summary
 * line, and the rows as Prometheus text for node_exporter's textfile
 * collector. */
#include <ifk/verify.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "verify_int.h"

static const char *text_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A value from evidence, safe on one line: NULL as "?" */
static void add_text(struct ifk_buf *b, const char *s)
{
	char *e = ifk_text_escape(s ? s : "?");

	ifk_buf_add(b, e ? e : "?", strlen(e ? e : "?"));
	free(e);
}

static void add_state(struct ifk_buf *b, const json_t *v, const char *yes, const char *no)
{
	ifk_buf_printf(b, ", %s", json_is_true(v) ? yes : json_is_false(v) ? no : "unknown");
}

/* "PASS <target>: <name> <udid>, <model> iOS <version>, last backup <when>
 * (<age> ago), encrypted, complete[: <first reason>][ (partial: ...)]" */
char *ifk_fleet_row_text(const json_t *row)
{
	struct ifk_buf b = {0};
	json_t *age = json_object_get(row, "age_seconds"), *reasons = json_object_get(row, "reasons");
	char dur[32];

	ifk_buf_printf(&b, "%s ", text_of(row, "verdict") ?: "FAIL");
	add_text(&b, text_of(row, "target"));
	if (text_of(row, "error")) { /* not checked: unreadable, or no backup in it */
		ifk_buf_printf(&b, ": ");
		add_text(&b, text_of(row, "error"));
		return b.data;
	}
	ifk_buf_printf(&b, ": ");
	add_text(&b, text_of(row, "device_name"));
	ifk_buf_printf(&b, " ");
	add_text(&b, text_of(row, "udid"));
	ifk_buf_printf(&b, ", ");
	add_text(&b, text_of(row, "product_type"));
	ifk_buf_printf(&b, " iOS ");
	add_text(&b, text_of(row, "ios_version"));
	if (text_of(row, "last_backup") && json_is_integer(age)) {
		ifk_duration_text((int64_t)json_integer_value(age), dur);
		ifk_buf_printf(&b, ", last backup %s (%s ago)", text_of(row, "last_backup"), dur);
	} else {
		ifk_buf_printf(&b, ", no completed backup");
	}
	add_state(&b, json_object_get(row, "encrypted"), "encrypted", "NOT encrypted");
	add_state(&b, json_object_get(row, "complete"), "complete", "INCOMPLETE");
	if (json_array_size(reasons)) {
		ifk_buf_printf(&b, ": ");
		add_text(&b, json_string_value(json_array_get(reasons, 0)));
	}
	if (json_is_true(json_object_get(row, "partial"))) {
		json_t *r;
		size_t i;
		ifk_buf_printf(&b, " (partial: ");
		json_array_foreach(json_object_get(row, "partial_reasons"), i, r)
		    ifk_buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(r) ?: "");
		ifk_buf_printf(&b, ")");
	}
	return b.data;
}

char *ifk_fleet_summary_text(const json_t *s)
{
	struct ifk_buf b = {0};
	json_int_t skipped = (json_int_t)json_array_size(json_object_get(s, "skipped"));
	json_int_t backups = json_integer_value(json_object_get(s, "backups"));
	json_int_t empty = json_integer_value(json_object_get(s, "targets_without_backup"));

	ifk_buf_printf(&b, "%lld backup%s", (long long)backups, backups == 1 ? "" : "s");
	if (empty)
		ifk_buf_printf(&b, " and %lld target%s without one", (long long)empty,
		               empty == 1 ? "" : "s");
	ifk_buf_printf(&b,
	               " checked (%s): %lld passed, %lld failed (%lld stale, %lld "
	               "incomplete, %lld unencrypted, %lld unreadable)",
	               text_of(s, "check") ?: "full",
	               (long long)json_integer_value(json_object_get(s, "passed")),
	               (long long)json_integer_value(json_object_get(s, "failed")),
	               (long long)json_integer_value(json_object_get(s, "stale")),
	               (long long)json_integer_value(json_object_get(s, "incomplete")),
	               (long long)json_integer_value(json_object_get(s, "unencrypted")),
	               (long long)json_integer_value(json_object_get(s, "unreadable")));
	if (skipped)
		ifk_buf_printf(&b, "; %lld folder%s skipped, no backup or bag", (long long)skipped,
		               skipped == 1 ? "" : "s");
	return b.data;
}

/* ---- Prometheus text ---- */

/* A label value: valid UTF-8 without controls, with \ " and newline
 * escaped as the exposition format asks. */
static void add_label(struct ifk_buf *b, const char *name, const char *value, int first)
{
	char *e = ifk_text_escape(value ? value : "");
	const char *p;

	ifk_buf_printf(b, "%s%s=\"", first ? "" : ",", name);
	for (p = e ? e : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			ifk_buf_add(b, "\\", 1);
		ifk_buf_add(b, p, 1);
	}
	ifk_buf_add(b, "\"", 1);
	free(e);
}

static void add_labels(struct ifk_buf *b, const json_t *row)
{
	ifk_buf_add(b, "{", 1);
	add_label(b, "target", text_of(row, "target"), 1);
	add_label(b, "udid", text_of(row, "udid"), 0);
	add_label(b, "device", text_of(row, "device_name"), 0);
	ifk_buf_add(b, "}", 1);
}

struct metric {
	const char *name, *help;
	const char *key; /* the row's field */
	int kind;        /* 0 boolean, 1 integer, 2 the last backup's time */
};

static const struct metric metrics[] = {
    {"ifk_backup_last_success_timestamp_seconds",
     "Time of the last completed backup the folder holds (Unix seconds; absent when it "
     "holds none).",
     "last_backup", 2},
    {"ifk_backup_age_seconds",
     "Seconds since the last completed backup (absent when the folder holds none).",
     "age_seconds", 1},
    {"ifk_backup_encrypted", "1 when the backup is encrypted (absent when unknown).",
     "encrypted", 0},
    {"ifk_backup_complete", "1 when the backup completed and stores every file it lists.",
     "complete", 0},
    {"ifk_backup_verify_ok",
     "1 when ifk-verify passed the backup (integrity and completeness; age and encryption "
     "are the metrics above).",
     "verify_ok", 0},
};

static void add_metric(struct ifk_buf *b, const struct metric *m, const json_t *rows)
{
	json_t *row;
	size_t i;

	ifk_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", m->name, m->help, m->name);
	json_array_foreach(rows, i, row)
	{
		json_t *v = json_object_get(row, m->key);
		int64_t t = 0;
		if (m->kind == 0 && !json_is_boolean(v) && strcmp(m->key, "encrypted") == 0)
			continue;
		if ((m->kind == 1 && !json_is_integer(v)) ||
		    (m->kind == 2 && ifk_time_parse_iso(json_string_value(v), &t) != 0))
			continue;
		ifk_buf_printf(b, "%s", m->name);
		add_labels(b, row);
		if (m->kind == 0)
			ifk_buf_printf(b, " %d\n", json_is_true(v));
		else if (m->kind == 1)
			ifk_buf_printf(b, " %lld\n", (long long)json_integer_value(v));
		else
			ifk_buf_printf(b, " %lld\n", (long long)t);
	}
}

int ifk_fleet_metrics_write(const char *path, const json_t *rows, const json_t *summary,
                            struct ifk_error *err)
{
	struct ifk_buf b = {0};
	int64_t now = 0;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		add_metric(&b, &metrics[i], rows);
	ifk_time_parse_iso(text_of(summary, "checked_at"), &now);
	ifk_buf_printf(&b,
	               "# HELP ifk_fleet_backups Backups the last fleet check looked at.\n"
	               "# TYPE ifk_fleet_backups gauge\nifk_fleet_backups %lld\n"
	               "# HELP ifk_fleet_failed Backups that failed the last fleet check.\n"
	               "# TYPE ifk_fleet_failed gauge\nifk_fleet_failed %lld\n"
	               "# HELP ifk_fleet_check_timestamp_seconds When the last fleet check ran.\n"
	               "# TYPE ifk_fleet_check_timestamp_seconds gauge\n"
	               "ifk_fleet_check_timestamp_seconds %lld\n",
	               (long long)json_integer_value(json_object_get(summary, "backups")),
	               (long long)json_integer_value(json_object_get(summary, "failed")),
	               (long long)now);
	if (!b.data)
		return ifk_error_set(err, IFK_ENOMEM, "out of memory");
	rc = ifk_write_atomic(path, b.data, b.len, 0644, err);
	ifk_buf_free(&b);
	return rc;
}

/* The frame's capped lists: thousands of findings of one kind are shown as
 * a few, then "and N more like this" (include/ifk/cli.h). */
#include <ifk/cli.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* What makes two items alike: their check, level and kind, and the reason
 * up to its first colon with every word holding a digit (a count, a hash,
 * a size) made "#". */
static void kind_key(json_t *item, struct ifk_buf *b)
{
	const char *reason = ifk_cli_str(item, "reason"), *s;
	int in_word = 0, digit = 0;
	size_t word = 0;

	if (!*reason)
		reason = ifk_cli_str(item, "detail");
	ifk_buf_printf(b, "%s\x1f%s\x1f%s\x1f", ifk_cli_str(item, "check"),
	               ifk_cli_str(item, "level"), ifk_cli_str(item, "kind"));
	for (s = reason; *s && *s != ':'; s++) {
		int alnum = isalnum((unsigned char)*s);
		if (alnum && !in_word) {
			word = b->len;
			digit = 0;
		}
		in_word = alnum;
		digit |= alnum && isdigit((unsigned char)*s);
		if (digit && alnum) {
			b->len = word; /* the word so far becomes one "#" */
			ifk_buf_add(b, "#", 1);
			continue;
		}
		ifk_buf_add(b, s, 1);
	}
}

struct kinds {
	json_t *index; /* key -> the kind's number */
	size_t *first; /* each kind's first item */
	size_t *next;  /* each item's next item of its kind, or n */
	size_t *count; /* items of each kind */
	size_t nkinds, n;
};

/* Sorts items into kinds, keeping their order within each. */
static int sort_kinds(json_t *items, struct kinds *k)
{
	size_t *last = NULL, i;
	struct ifk_buf key = {0};

	k->n = json_array_size(items);
	k->index = json_object();
	k->first = calloc(k->n + 1, sizeof(size_t));
	k->next = calloc(k->n + 1, sizeof(size_t));
	k->count = calloc(k->n + 1, sizeof(size_t));
	last = calloc(k->n + 1, sizeof(size_t));
	if (!k->index || !k->first || !k->next || !k->count || !last) {
		free(last);
		return -1;
	}
	for (i = 0; i < k->n; i++) {
		json_t *num;
		size_t g;
		key.len = 0;
		kind_key(json_array_get(items, i), &key);
		num = json_object_get(k->index, key.data ? key.data : "");
		g = num ? (size_t)json_integer_value(num) : k->nkinds++;
		if (!num) {
			json_object_set_new(k->index, key.data ? key.data : "",
			                    json_integer((json_int_t)g));
			k->first[g] = i;
		} else {
			k->next[last[g]] = i;
		}
		k->next[i] = k->n;
		last[g] = i;
		k->count[g]++;
	}
	ifk_buf_free(&key);
	free(last);
	return 0;
}

static void free_kinds(struct kinds *k)
{
	json_decref(k->index);
	free(k->first);
	free(k->next);
	free(k->count);
}

void ifk_cli_list_capped(json_t *items, size_t keep, const char *indent,
                         void (*show)(void *ctx, json_t *item), void *ctx)
{
	struct kinds k = {0};
	size_t g, i, shown;

	if (keep == 0 || sort_kinds(items, &k) != 0) {
		for (i = 0; i < json_array_size(items); i++)
			show(ctx, json_array_get(items, i));
		free_kinds(&k);
		return;
	}
	for (g = 0; g < k.nkinds; g++) {
		for (i = k.first[g], shown = 0; i < k.n && shown < keep; i = k.next[i], shown++)
			show(ctx, json_array_get(items, i));
		if (k.count[g] > keep)
			printf("%sand %zu more like this\n", indent, k.count[g] - keep);
	}
	free_kinds(&k);
}

#include "remote.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "device.h"
#include "error.h"
#include "fsutil.h"
#include "jsonscan.h"
#include "mempool.h"
#include "banned.h"

#define SEQ_DIGITS 12

void segment_name(struct strbuf *out, uint64_t first, uint64_t last)
{
	strbuf_addf(out, "%012" PRIu64 "-%012" PRIu64 ".ndjson", first, last);
}

static int digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int segment_name_parse(const char *name, uint64_t *first, uint64_t *last)
{
	if (strlen(name) != 2 * SEQ_DIGITS + 1 + strlen(".ndjson") ||
	    name[SEQ_DIGITS] != '-' ||
	    strcmp(name + 2 * SEQ_DIGITS + 1, ".ndjson") ||
	    digits(name, SEQ_DIGITS, first) ||
	    digits(name + SEQ_DIGITS + 1, SEQ_DIGITS, last))
		return 0;
	return *first >= 1 && *last >= *first;
}

static int by_first(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

int segments_list(const char *dir, struct segment_list *out,
		struct strbuf *err)
{
	struct strbuf p = STRBUF_INIT;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 :
			fail_errno(err, T_ELEDGER, "cannot read '%s'", dir);
	while ((de = readdir(d))) {
		struct stat st;
		uint64_t first, last;

		if (!segment_name_parse(de->d_name, &first, &last) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		strbuf_reset(&p);
		path_join(&p, dir, de->d_name);
		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		out->v[out->nr].first = first;
		out->v[out->nr].last = last;
		out->v[out->nr++].path = xstrdup(p.buf);
	}
	closedir(d);
	strbuf_release(&p);
	if (out->nr)
		qsort(out->v, out->nr, sizeof(*out->v), by_first);
	return 0;
}

void segment_list_release(struct segment_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The subdirectories of dir named as device ids, sorted. */
static int device_dirs(const char *dir, struct string_list *out,
		struct strbuf *err)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t from = out->nr;

	if (!d)
		return errno == ENOENT ? 0 :
			fail_errno(err, T_ELEDGER, "cannot read '%s'", dir);
	while ((de = readdir(d))) {
		struct stat st;

		if (!device_id_valid(de->d_name, strlen(de->d_name)) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(st.st_mode))
			continue;
		string_list_append(out, xstrdup(de->d_name));
	}
	closedir(d);
	if (out->nr > from)
		qsort(out->items + from, out->nr - from, sizeof(*out->items),
				by_string);
	return 0;
}

int folder_devices(const char *folder, struct string_list *out,
		struct strbuf *err)
{
	return device_dirs(folder, out, err);
}

void remote_dir(struct strbuf *out, const char *root, const char *id)
{
	path_join(out, root, "remotes");
	path_join(out, "", id);
}

int scope_list_remotes(struct scope_list *list, const char *root,
		struct strbuf *err)
{
	struct string_list ids = STRING_LIST_INIT;
	struct strbuf dir = STRBUF_INIT;
	int ret;

	path_join(&dir, root, "remotes");
	ret = device_dirs(dir.buf, &ids, err);
	ALLOC_GROW(list->v, list->nr + ids.nr, list->alloc);
	for (size_t i = 0; i < ids.nr; i++) {
		strbuf_reset(&dir);
		remote_dir(&dir, root, ids.items[i]);
		scope_init_dir(&list->v[list->nr++], root, dir.buf);
		free((char *)ids.items[i]);
	}
	string_list_release(&ids);
	strbuf_release(&dir);
	return ret;
}

const char *scope_remote_device(const struct scope *sc)
{
	const char *slash = strrchr(sc->dir, '/');
	const char *id = slash ? slash + 1 : sc->dir;
	size_t n = slash ? (size_t)(slash - sc->dir) : 0;

	if (!device_id_valid(id, strlen(id)) || n < 8 ||
	    strncmp(slash - 8, "/remotes", 8))
		return NULL;
	return id;
}

void remote_device_name(const char *dir, struct strbuf *name)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct mempool pool = MEMPOOL_INIT;
	struct js_span key, v;
	struct jscan s;

	path_join(&path, dir, "device.json");
	if (strbuf_read_file(&text, path.buf) >= 0 && text.len < 4096) {
		js_init(&s, text.buf, text.len);
		if (js_object_begin(&s) == 0)
			while (js_member(&s, &key) > 0) {
				if (js_key_is(&key, "name") &&
				    js_peek(&s) == JS_STRING &&
				    !js_string(&s, &v)) {
					strbuf_addstr(name,
						js_unescape(&v, &pool));
					break;
				}
				if (js_skip(&s) < 0)
					break;
			}
	}
	mempool_release(&pool);
	strbuf_release(&path);
	strbuf_release(&text);
}

static int name_taken(const struct string_list *names, size_t upto,
		const char *name, const char *self_name)
{
	if (self_name && !strcmp(name, self_name))
		return 1;
	for (size_t i = 0; i < names->nr; i++)
		if (i != upto && !strcmp(names->items[i], name))
			return 1;
	return 0;
}

int remote_device_labels(const char *root, const char *self_name,
		struct string_list *ids, struct string_list *labels,
		struct strbuf *err)
{
	struct scope_list parts = SCOPE_LIST_INIT;
	struct string_list names = STRING_LIST_INIT;
	int ret = scope_list_remotes(&parts, root, err);

	for (size_t i = 0; i < parts.nr; i++) {
		struct strbuf n = STRBUF_INIT;

		remote_device_name(parts.v[i].dir, &n);
		string_list_append(&names, strbuf_detach(&n, NULL));
	}
	for (size_t i = 0; i < parts.nr; i++) {
		const char *id = scope_remote_device(&parts.v[i]);
		const char *name = names.items[i];

		string_list_append(ids, xstrdup(id));
		string_list_append(labels, xstrdup(*name &&
				!name_taken(&names, i, name, self_name) ?
				name : id));
	}
	for (size_t i = 0; i < names.nr; i++)
		free((char *)names.items[i]);
	string_list_release(&names);
	scope_list_release(&parts);
	return ret;
}

#include "summary-all.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "fsutil.h"
#include "jsonscan.h"
#include "jsonw.h"
#include "remote.h"
#include "summary-io.h"
#include "timeutil.h"
#include "banned.h"

#define ALL_VERSION 1

/* What a scope's ledger was when the sum was made (all 0: none). */
struct ledger_mark {
	uint64_t dev, ino, offset, mtime_ns;  /* offset: its size */
};

static void mark_of_ledger(const char *path, struct ledger_mark *m)
{
	struct stat st;

	memset(m, 0, sizeof(*m));
	if (stat(path, &st))
		return;
	m->dev = (uint64_t)st.st_dev;
	m->ino = (uint64_t)st.st_ino;
	m->offset = (uint64_t)st.st_size;
	m->mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u +
		(uint64_t)st.st_mtim.tv_nsec;
}

/* The mark of a ledger as a refreshed summary last saw it. */
static void mark_of_summary(const struct summary *s, struct ledger_mark *m)
{
	m->dev = s->dev;
	m->ino = s->ino;
	m->offset = s->seen_size;
	m->mtime_ns = s->seen_mtime_ns;
}

/* With the other devices' parts (remote.h), a sum of its own. */
static void cache_path(struct strbuf *out, const struct scope_list *list)
{
	int remotes = 0;

	for (size_t i = 0; i < list->nr && !remotes; i++)
		remotes = scope_remote_device(&list->v[i]) != NULL;
	path_join(out, list->v[0].root, remotes ?
			"usage-summary-devices.json" :
			"usage-summary-all.json");
}

static int read_mark(struct jscan *s, struct ledger_mark *m,
		struct js_span *dir)
{
	struct js_span key;
	int ret;

	memset(m, 0, sizeof(*m));
	memset(dir, 0, sizeof(*dir));
	if (js_object_begin(s) < 0)
		return -1;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "dir"))
			ret = js_string(s, dir);
		else if (js_key_is(&key, "dev"))
			ret = js_int64(s, (int64_t *)&m->dev);
		else if (js_key_is(&key, "ino"))
			ret = js_int64(s, (int64_t *)&m->ino);
		else if (js_key_is(&key, "offset"))
			ret = js_int64(s, (int64_t *)&m->offset);
		else if (js_key_is(&key, "mtimeNs"))
			ret = js_int64(s, (int64_t *)&m->mtime_ns);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

/* Whether the marks in the file are those of the scopes' ledgers now. */
static int marks_hold(struct jscan *s, const struct scope_list *list)
{
	size_t i = 0;
	int ret;

	if (js_array_begin(s) < 0)
		return 0;
	while ((ret = js_element(s)) > 0) {
		struct ledger_mark have, now;
		struct js_span dir;

		if (i >= list->nr || read_mark(s, &have, &dir) < 0 ||
		    dir.len != strlen(list->v[i].dir) ||
		    memcmp(dir.p, list->v[i].dir, dir.len))
			return 0;
		mark_of_ledger(list->v[i].ledger_path, &now);
		if (memcmp(&have, &now, sizeof(have)))
			return 0;
		i++;
	}
	return ret == 0 && i == list->nr;
}

/* Loads the sum from the file if it still holds. 0, or -1 to make it. */
static int load(struct summary *merged, const struct scope_list *list)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct jscan s;
	struct js_span key;
	int64_t version = 0;
	int ok = 0, ret = -1;

	cache_path(&path, list);
	if (strbuf_read_file(&text, path.buf))
		goto out;
	js_init(&s, text.buf, text.len);
	if (js_object_begin(&s) < 0)
		goto out;
	while (js_member(&s, &key) > 0) {
		if (js_key_is(&key, "version")) {
			if (js_int64(&s, &version) < 0)
				goto out;
		} else if (js_key_is(&key, "scopes")) {
			if (version != ALL_VERSION || !(ok = marks_hold(&s, list)))
				goto out;
		} else if (js_key_is(&key, "summary") && ok) {
			const char *start = s.p;

			if (js_skip(&s) < 0)
				goto out;
			ret = summary_read_json(merged, start,
					(size_t)(s.p - start));
			break;
		} else if (js_skip(&s) < 0) {
			goto out;
		}
	}
	/* A sum made in another zone has other days. */
	if (!ret && (!merged->timezone ||
		     strcmp(merged->timezone, timeutil_zone_id())))
		ret = -1;
out:
	strbuf_release(&path);
	strbuf_release(&text);
	return ret;
}

static void save(const struct summary *merged, const struct ledger_mark *marks,
		const struct scope_list *list, const struct summary_opts *o)
{
	struct strbuf path = STRBUF_INIT, json = STRBUF_INIT, sum = STRBUF_INIT;
	struct jsonw w;
	struct stat st;

	/* Nothing is created where nothing was ever recorded. */
	if (stat(list->v[0].root, &st))
		return;
	summary_write_json(merged, &o->budget, &sum);
	jw_init(&w, &json, JW_COMPACT);
	jw_object_begin(&w);
	jw_kv_int(&w, "version", ALL_VERSION);
	jw_key(&w, "scopes");
	jw_array_begin(&w);
	for (size_t i = 0; i < list->nr; i++) {
		jw_object_begin(&w);
		jw_kv_string(&w, "dir", list->v[i].dir);
		jw_kv_int(&w, "dev", (int64_t)marks[i].dev);
		jw_kv_int(&w, "ino", (int64_t)marks[i].ino);
		jw_kv_int(&w, "offset", (int64_t)marks[i].offset);
		jw_kv_int(&w, "mtimeNs", (int64_t)marks[i].mtime_ns);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_key(&w, "summary");
	jw_raw(&w, sum.buf, sum.len);
	jw_object_end(&w);
	strbuf_addch(&json, '\n');
	cache_path(&path, list);
	if (write_file_atomic_nosync(path.buf, json.buf, json.len))
		warning("cannot write '%s': %s", path.buf, strerror(errno));
	strbuf_release(&path);
	strbuf_release(&json);
	strbuf_release(&sum);
}

int summary_all_refresh(struct summary *merged, const struct scope_list *list,
		const struct summary_opts *o, struct strbuf *err)
{
	struct ledger_mark *marks;
	int ret = 0, stale = 0;

	if (!list->nr)
		BUG("summary_all_refresh() of no scopes");
	if (!load(merged, list))
		return 0;
	summary_release(merged);
	summary_init(merged);
	marks = xcalloc(list->nr, sizeof(*marks));
	for (size_t i = 0; !ret && i < list->nr; i++) {
		struct summary one;

		summary_init(&one);
		ret = summary_refresh(&one, &list->v[i], o, err);
		/*
		 * Another device's sessions are none of this one's: its
		 * rollups are summed without them (the sum stays small).
		 */
		if (!ret && scope_remote_device(&list->v[i])) {
			for (size_t k = 0; k < one.rollups.nr; k++)
				one.rollups.items[k].key.session = 0;
			rollup_forget_totals(&one.rollups);
		}
		if (!ret) {
			summary_merge(merged, &one);
			mark_of_summary(&one, &marks[i]);
			stale |= one.stale;
		}
		summary_release(&one);
	}
	if (!merged->timezone)
		merged->timezone = xstrdup(timeutil_zone_id());
	merged->updated_at = now_ms();
	/* A scope read as it was (its lock busy) is not worth keeping. */
	if (!ret && !stale)
		save(merged, marks, list, o);
	free(marks);
	return ret;
}

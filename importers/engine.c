#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/device.h"
#include "../lib/error.h"
#include "../lib/fsutil.h"
#include "../lib/entry-id.h"
#include "../lib/intern.h"
#include "../lib/jsonscan.h"
#include "../lib/jsonw.h"
#include "../lib/ledger.h"
#include "../lib/lock.h"
#include "../lib/plan.h"
#include "../lib/sha256.h"
#include "../lib/banned.h"

#define HEAD_BYTES 512
#define FLUSH_BYTES (4u << 20)

const char *import_skip_name(enum import_skip s)
{
	static const char *const names[] = { "noUsage", "synthetic",
		"malformed", "incomplete", "zero", "repeat", "replay" };

	return names[s];
}

/* ---- the keys seen: natural key -> the best version kept ---- */

struct key_rec {
	uint64_t key;      /* never 0 (0 is stored as 1), as in older files */
	int64_t total;
	int64_t cost;
	uint32_t flags;    /* KEY_SIDECHAIN */
	uint32_t pending;  /* 1 + its row's index among the unwritten rows */
};

#define KEY_SIDECHAIN 1u
#define KEYS_MAGIC "TALLYIK1"

struct keys {
	struct key_rec *recs;
	size_t nr, alloc;
	struct hash_index ix;
	int dirty;
};

static uint64_t key_of(size_t pos, const void *data)
{
	return ((const struct key_rec *)data)[pos].key;
}

/* The record of key; valid until the next one is added. */
static struct key_rec *keys_find_or_add(struct keys *k, uint64_t key,
		int *added)
{
	struct hash_probe p;
	size_t pos;

	if (!key)
		key = 1;
	hash_index_make_room(&k->ix, key_of, k->recs);
	for (pos = hash_index_first(&k->ix, key, &p); pos != HASH_INDEX_NONE;
	     pos = hash_index_next(&k->ix, &p)) {
		if (k->recs[pos].key == key) {
			*added = 0;
			return &k->recs[pos];
		}
	}
	ALLOC_GROW(k->recs, k->nr + 1, k->alloc);
	memset(&k->recs[k->nr], 0, sizeof(k->recs[k->nr]));
	k->recs[k->nr].key = key;
	hash_index_add(&k->ix, &p, k->nr);
	*added = 1;
	return &k->recs[k->nr++];
}

static void keys_release(struct keys *k)
{
	free(k->recs);
	hash_index_release(&k->ix);
	memset(k, 0, sizeof(*k));
}

static int keys_load(struct keys *k, const char *path, struct strbuf *err)
{
	struct file_map map;
	size_t n;

	memset(k, 0, sizeof(*k));
	if (file_map_open(&map, path) < 0)
		return errno == ENOENT ? 0 :
			fail_errno(err, T_EFAIL, "cannot read '%s'", path);
	if (map.len < 8 || memcmp(map.data, KEYS_MAGIC, 8) ||
	    (map.len - 8) % sizeof(struct key_rec)) {
		warning("%s is damaged; keys are learned again", path);
		file_map_release(&map);
		return 0;
	}
	n = (map.len - 8) / sizeof(struct key_rec);
	/* The table at its final size at once, instead of doubling to it. */
	ALLOC_GROW(k->recs, n, k->alloc);
	hash_index_reserve(&k->ix, n, key_of, k->recs);
	for (size_t i = 0; i < n; i++) {
		struct key_rec rec;
		int added;

		memcpy(&rec, map.data + 8 + i * sizeof(rec), sizeof(rec));
		rec.pending = 0;
		rec.key = rec.key ? rec.key : 1;
		*keys_find_or_add(k, rec.key, &added) = rec;
	}
	file_map_release(&map);
	return 0;
}

static int keys_save(const struct keys *k, const char *path,
		struct strbuf *err)
{
	struct strbuf buf = STRBUF_INIT;
	int ret = 0;

	strbuf_add(&buf, KEYS_MAGIC, 8);
	strbuf_add(&buf, k->recs, k->nr * sizeof(*k->recs));
	if (write_file_atomic(path, buf.buf, buf.len))
		ret = fail_errno(err, T_ELEDGER, "cannot write '%s'", path);
	strbuf_release(&buf);
	return ret;
}

/* ---- the state of each file ---- */

struct file_state {
	const char *path;   /* owned by the state's path table */
	uint64_t dev, ino, size, mtime_ns, offset;
	char head[65];
	char *parser;       /* the parser's own state, JSON text */
	int seen;           /* found by this run */
};

/*
 * Per file, in the order first seen. A directory of agent logs holds
 * thousands of files, so they are found by path through a table of
 * paths whose id n is files[n - 1] (id 0 is the empty string).
 */
struct state {
	struct file_state *files;
	size_t nr, alloc;
	struct intern paths;
};

static void state_init(struct state *s)
{
	memset(s, 0, sizeof(*s));
	intern_init(&s->paths);
}

static struct file_state *state_find(struct state *s, const char *path)
{
	uint32_t id = intern_id(&s->paths, path, strlen(path));

	if (id && id <= s->nr)
		return &s->files[id - 1];
	ALLOC_GROW(s->files, s->nr + 1, s->alloc);
	memset(&s->files[s->nr], 0, sizeof(s->files[0]));
	s->files[s->nr].path = intern_str(&s->paths, id);
	return &s->files[s->nr++];
}

static void state_release(struct state *s)
{
	for (size_t i = 0; i < s->nr; i++)
		free(s->files[i].parser);
	free(s->files);
	intern_release(&s->paths);
	memset(s, 0, sizeof(*s));
}

static int read_file_state(struct jscan *js, struct state *s,
		struct mempool *pool)
{
	struct js_span key, v;
	struct file_state fs = { 0 };
	char *path = NULL, *parser = NULL;
	int r;

	if (js_object_begin(js) < 0)
		return -1;
	while ((r = js_member(js, &key)) > 0) {
		int64_t n;

		if (js_key_is(&key, "path") || js_key_is(&key, "head")) {
			char *t;

			if (js_string(js, &v) < 0 || !(t = js_unescape(&v, pool)))
				return -1;
			if (js_key_is(&key, "path")) {
				path = t;
			} else {
				size_t hl = strnlen(t, sizeof(fs.head) - 1);

				memcpy(fs.head, t, hl);
				fs.head[hl] = '\0';
			}
		} else if (js_key_is(&key, "parser")) {
			const char *start = js->p;

			if (js_skip(js) < 0)
				return -1;
			while (*start == ' ' || *start == ':')
				start++;
			parser = mempool_strndup(pool, start,
					(size_t)(js->p - start));
		} else {
			if (js_int64(js, &n) < 0)
				return -1;
			if (js_key_is(&key, "dev"))
				fs.dev = (uint64_t)n;
			else if (js_key_is(&key, "ino"))
				fs.ino = (uint64_t)n;
			else if (js_key_is(&key, "size"))
				fs.size = (uint64_t)n;
			else if (js_key_is(&key, "mtimeNs"))
				fs.mtime_ns = (uint64_t)n;
			else if (js_key_is(&key, "offset"))
				fs.offset = (uint64_t)n;
		}
	}
	if (r < 0 || !path || !*path)
		return -1;
	{
		struct file_state *f = state_find(s, path);

		fs.path = f->path;
		free(f->parser);
		*f = fs;
		f->parser = parser ? xstrdup(parser) : NULL;
	}
	return 0;
}

static int state_load(struct state *s, const char *path, struct strbuf *err)
{
	struct file_map map;
	struct mempool pool = MEMPOOL_INIT;
	struct jscan js;
	struct js_span key;
	int r = 0;

	state_init(s);
	if (file_map_open(&map, path) < 0)
		return errno == ENOENT ? 0 :
			fail_errno(err, T_EFAIL, "cannot read '%s'", path);
	js_init(&js, map.data, map.len);
	if (js_object_begin(&js) < 0)
		r = -1;
	while (!r && (r = js_member(&js, &key)) > 0) {
		r = 0;
		if (!js_key_is(&key, "files")) {
			r = js_skip(&js) < 0 ? -1 : 0;
			continue;
		}
		if (js_array_begin(&js) < 0) {
			r = -1;
			break;
		}
		while (!r && (r = js_element(&js)) > 0)
			r = read_file_state(&js, s, &pool) < 0 ? -1 : 0;
	}
	if (r < 0) {
		/* Reading everything again is safe: the keys prevent doubles. */
		warning("%s is damaged; every file is read again", path);
		state_release(s);
		state_init(s);
	}
	mempool_release(&pool);
	file_map_release(&map);
	return 0;
}

static int state_save(const struct state *s, const char *path,
		struct strbuf *err)
{
	struct strbuf buf = STRBUF_INIT;
	struct jsonw w;
	int ret = 0;

	/*
	 * One file per line, compact: every run reads this back, for
	 * thousands of files, before it can tell that nothing changed.
	 */
	strbuf_grow(&buf, s->nr * 256);
	jw_init(&w, &buf, JW_LINES);
	jw_object_begin(&w);
	jw_kv_int(&w, "version", 1);
	jw_key(&w, "files");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->nr; i++) {
		const struct file_state *f = &s->files[i];

		jw_object_begin(&w);
		jw_kv_string(&w, "path", f->path);
		jw_kv_int(&w, "dev", (int64_t)f->dev);
		jw_kv_int(&w, "ino", (int64_t)f->ino);
		jw_kv_int(&w, "size", (int64_t)f->size);
		jw_kv_int(&w, "mtimeNs", (int64_t)f->mtime_ns);
		jw_kv_int(&w, "offset", (int64_t)f->offset);
		jw_kv_string(&w, "head", f->head);
		if (f->parser) {
			jw_key(&w, "parser");
			jw_raw(&w, f->parser, strlen(f->parser));
		}
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	if (write_file_atomic(path, buf.buf, buf.len))
		ret = fail_errno(err, T_ELEDGER, "cannot write '%s'", path);
	strbuf_release(&buf);
	return ret;
}

/* ---- finding the files ---- */

struct found {
	char *path;
	char *rel;
	struct stat st;
};

struct found_list {
	struct found *items;
	size_t nr, alloc;
};

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Whether a file's name is one of the agent's logs'. */
static int is_log_name(const struct agent *a, const char *name)
{
	return has_suffix(name, a->suffix) ||
		(a->whole_suffix && has_suffix(name, a->whole_suffix));
}

/* A log read whole: all of an agent's, or those of its whole_suffix. */
static int is_whole(const struct agent *a, const char *name)
{
	return a->whole_files ||
		(a->whole_suffix && has_suffix(name, a->whole_suffix));
}

static void walk(const char *dir, size_t base_len, const struct agent *a,
		struct found_list *out, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strbuf p = STRBUF_INIT;

	if (!d || depth > 32) {
		if (d)
			closedir(d);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		/* Relative to the open directory: no walk of the whole path. */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		strbuf_reset(&p);
		path_join(&p, dir, de->d_name);
		if (S_ISDIR(st.st_mode)) {
			walk(p.buf, base_len, a, out, depth + 1);
		} else if (S_ISREG(st.st_mode) && is_log_name(a, de->d_name)) {
			ALLOC_GROW(out->items, out->nr + 1, out->alloc);
			out->items[out->nr].st = st;
			out->items[out->nr].path = xstrdup(p.buf);
			out->items[out->nr++].rel = xstrdup(p.buf + base_len +
					(p.buf[base_len] == '/'));
		}
	}
	closedir(d);
	strbuf_release(&p);
}

/* The databases in dir whose names match the agent's db_name. */
static void find_dbs(const struct agent *a, const char *dir,
		struct found_list *out)
{
	struct strbuf p = STRBUF_INIT;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (fnmatch(a->db_name, de->d_name, FNM_PERIOD) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		strbuf_reset(&p);
		path_join(&p, dir, de->d_name);
		ALLOC_GROW(out->items, out->nr + 1, out->alloc);
		out->items[out->nr].st = st;
		out->items[out->nr].path = xstrdup(p.buf);
		out->items[out->nr++].rel = xstrdup(de->d_name);
	}
	closedir(d);
	strbuf_release(&p);
}

static void walk_dir(const struct agent *a, const char *dir,
		struct found_list *out)
{
	struct strbuf p = STRBUF_INIT;
	struct stat st;
	int any = 0;

	for (const char *const *sub = a->subdirs; sub && *sub; sub++) {
		strbuf_reset(&p);
		path_join(&p, dir, *sub);
		if (!stat(p.buf, &st) && S_ISDIR(st.st_mode)) {
			walk(p.buf, p.len, a, out, 0);
			any = 1;
		}
	}
	/*
	 * An agent with a database has its logs in their subdirectories
	 * only: the rest of its directory holds other things (credentials).
	 */
	if (a->db_name)
		find_dbs(a, dir, out);
	else if (!any) {
		walk(dir, strlen(dir), a, out, 0);
	}
	strbuf_release(&p);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->path,
			((const struct found *)b)->path);
}

/* A file found twice (a place inside another) is read once. */
static void drop_repeats(struct found_list *f)
{
	size_t kept = 0;

	for (size_t i = 0; i < f->nr; i++) {
		const char *p = f->items[i].path;

		if (kept && !strcmp(f->items[kept - 1].path, p)) {
			free(f->items[i].path);
			free(f->items[i].rel);
			continue;
		}
		f->items[kept++] = f->items[i];
	}
	f->nr = kept;
}

static void found_release(struct found_list *f)
{
	for (size_t i = 0; i < f->nr; i++) {
		free(f->items[i].path);
		free(f->items[i].rel);
	}
	free(f->items);
	memset(f, 0, sizeof(*f));
}

void import_places(const struct agent *a, struct import_place **out,
		size_t *n)
{
	struct string_list dirs = STRING_LIST_INIT;
	struct strbuf scratch = STRBUF_INIT;
	struct import_place *p;

	a->default_dirs(&dirs, &scratch);
	p = xcalloc(dirs.nr + 1, sizeof(*p));
	for (size_t i = 0; i < dirs.nr; i++) {
		struct found_list found = { 0 };
		struct stat st;

		p[i].dir = (char *)dirs.items[i];
		p[i].exists = !stat(p[i].dir, &st) &&
			(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode));
		if (p[i].exists && S_ISDIR(st.st_mode))
			walk_dir(a, p[i].dir, &found);
		/* A place may be a file: an agent's log named by a variable. */
		p[i].files = p[i].exists && S_ISREG(st.st_mode) ? 1 : found.nr;
		found_release(&found);
	}
	*out = p;
	*n = dirs.nr;
	string_list_release(&dirs);
	strbuf_release(&scratch);
}

void import_places_release(struct import_place *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].dir);
	free(p);
}

/* Nothing to import is no error, but a user asking deserves to know why. */
static void warn_no_default_dir(const struct agent *a,
		const struct string_list *dirs)
{
	struct strbuf list = STRBUF_INIT;

	for (size_t i = 0; i < dirs->nr; i++)
		strbuf_addf(&list, "%s'%s'", i ? " or " : "", dirs->items[i]);
	warning("no %s logs: %s%s", a->name, list.buf,
			dirs->nr == 1 ? " does not exist" : ": none exists");
	strbuf_release(&list);
}

static int find_files(const struct agent *a, const char *const *paths,
		size_t n, struct found_list *out, struct strbuf *err)
{
	struct string_list dirs = STRING_LIST_INIT;
	struct strbuf scratch = STRBUF_INIT;
	size_t found = 0;
	int ret = 0;

	if (!n) {
		a->default_dirs(&dirs, &scratch);
		paths = dirs.items;
		n = dirs.nr;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		struct stat st;

		if (stat(paths[i], &st)) {
			/* The default places need not all exist. */
			if (dirs.nr)
				continue;
			ret = fail_errno(err, T_EFAIL, "cannot read '%s'",
					paths[i]);
			continue;
		}
		found++;
		if (S_ISDIR(st.st_mode)) {
			walk_dir(a, paths[i], out);
		} else {
			const char *slash = strrchr(paths[i], '/');

			ALLOC_GROW(out->items, out->nr + 1, out->alloc);
			out->items[out->nr].st = st;
			out->items[out->nr].path = xstrdup(paths[i]);
			out->items[out->nr++].rel = xstrdup(slash ? slash + 1 :
					paths[i]);
		}
	}
	if (dirs.nr && !found)
		warn_no_default_dir(a, &dirs);
	if (dirs.nr && !out->nr && a->no_logs_hint)
		warning("%s", a->no_logs_hint);
	if (out->nr)
		qsort(out->items, out->nr, sizeof(*out->items), by_path);
	drop_repeats(out);
	for (size_t i = 0; i < dirs.nr; i++)
		free((char *)dirs.items[i]);
	string_list_release(&dirs);
	strbuf_release(&scratch);
	return ret;
}

/* ---- one run ---- */

struct run {
	const char *keys_path;
	int keys_loaded;        /* only once a file has something new */
	const struct agent *a;
	const struct import_opts *o;
	struct import_stats *st;
	struct keys keys;
	struct state state;
	struct ledger ledger;
	struct strbuf rows;     /* rows not yet appended to the ledger */
	struct row_span *spans; /* where each of them is in rows */
	size_t nr_spans, alloc_spans;
	size_t batch_rows;      /* rows left in the batch after drop_superseded */
	struct entry e;
	struct mempool pool;
	void *parser_state;     /* the agent's state_size bytes, per file */
	/* The key record import_wanted() found for the current line. */
	const struct import_item *judged;
	struct key_rec *judged_key;
};

/*
 * One unwritten row. An agent writes one message on several lines as its
 * counts grow; the row of an earlier line that a later one supersedes
 * before the batch is written is dropped, so the ledger gets one row per
 * message instead of one per line.
 */
struct row_span {
	size_t off, len;
	uint64_t key;
	int superseded;
	int keyless;     /* a quota row: no usage key */
};

/* Drops the superseded rows from the batch; forgets the batch's spans. */
static void drop_superseded(struct run *r)
{
	size_t to = 0, rows = 0;

	for (size_t i = 0; i < r->nr_spans; i++) {
		struct row_span *sp = &r->spans[i];
		int added;

		if (!sp->keyless)
			keys_find_or_add(&r->keys, sp->key,
					&added)->pending = 0;
		if (sp->superseded)
			continue;
		rows++;
		if (to != sp->off)
			memmove(r->rows.buf + to, r->rows.buf + sp->off, sp->len);
		to += sp->len;
	}
	strbuf_setlen(&r->rows, to);
	r->nr_spans = 0;
	r->batch_rows = rows;
}

static int flush_rows(struct run *r, struct strbuf *err)
{
	int ret;

	drop_superseded(r);
	if (!r->rows.len || r->o->dry_run) {
		strbuf_reset(&r->rows);
		return 0;
	}
	ret = ledger_lock(&r->ledger, err);
	if (!ret)
		ret = ledger_append_locked(&r->ledger, r->rows.buf, r->rows.len,
				err);
	ledger_unlock(&r->ledger);
	if (!ret)
		r->st->rows_written += r->batch_rows;
	strbuf_reset(&r->rows);
	return ret;
}

static int better(const struct import_item *it, const struct key_rec *k)
{
	int side = (k->flags & KEY_SIDECHAIN) != 0;

	if (it->sidechain != side)
		return !it->sidechain;
	if (it->total != k->total)
		return it->total > k->total;
	return it->cost > k->cost;
}

/*
 * FNV-1a over the key's parts and their terminators: cheap, as every
 * line with usage is looked up; the entry id (SHA-256) is derived only
 * for the entries written.
 */
static uint64_t key_hash(const char *const *parts)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; parts[i]; i++)
		for (const unsigned char *c = (const unsigned char *)parts[i];;
		     c++) {
			h = (h ^ *c) * 1099511628211ULL;
			if (!*c)
				break;
		}
	return h;
}

/* The item's key record when it is new or better; NULL, counted, if not. */
static struct key_rec *judge(struct run *r, const struct import_item *it)
{
	int added;
	struct key_rec *k = keys_find_or_add(&r->keys, key_hash(it->key),
			&added);

	if (!added && !better(it, k)) {
		r->st->duplicates++;
		return NULL;
	}
	if (added)
		r->st->added++;
	else
		r->st->updated++;
	return k;
}

int import_wanted(struct import_file *f, const struct import_item *it)
{
	struct run *r = f->run;

	if (!r)
		return 1; /* a parser used on its own (tests, fuzzing) */
	r->judged = it;
	r->judged_key = judge(r, it);
	return r->judged_key != NULL;
}

void import_plan_sample(struct import_file *f, const struct plan_sample *ps,
		int64_t at, const char *what)
{
	struct run *r = f->run;
	char when[32];
	const char *parts[] = { what, ps->provider, ps->window, when, NULL };
	struct row_span *sp;
	int added;

	if (!r)
		return;
	/* A sample read before (a rollout read again) is not written twice. */
	snprintf(when, sizeof(when), "%lld", (long long)at);
	keys_find_or_add(&r->keys, key_hash(parts), &added);
	if (!added)
		return;
	r->keys.dirty = 1;
	ALLOC_GROW(r->spans, r->nr_spans + 1, r->alloc_spans);
	sp = &r->spans[r->nr_spans++];
	memset(sp, 0, sizeof(*sp));
	sp->off = r->rows.len;
	sp->keyless = 1;
	plan_sample_row(&r->rows, ps, at, what, r->a->source, r->o->now);
	sp->len = r->rows.len - sp->off;
	r->st->plan_samples++;
}

static int take_item(struct run *r, struct import_item *it,
		struct strbuf *err)
{
	struct key_rec *k = r->judged == it ? r->judged_key : judge(r, it);
	struct strbuf id = STRBUF_INIT;
	struct row_span *sp;

	r->judged = NULL;
	if (!k)
		return 0;
	k->total = it->total;
	k->cost = it->cost;
	k->flags = it->sidechain ? KEY_SIDECHAIN : 0;
	r->keys.dirty = 1;
	id_derived(&id, "u_", it->key);
	entry_set_str(it->e, EF_ENTRY_ID, id.buf);
	strbuf_release(&id);
	entry_set_str(it->e, EF_SOURCE, r->a->source);
	/* A dry run makes nothing, not even this device's id. */
	if (r->o->dry_run)
		entry_set_int(it->e, EF_RECORDED_AT, r->o->now);
	else
		entry_stamp(it->e, r->o->now);
	entry_fill_total(it->e);
	if (r->o->prices && !entry_has(it->e, EF_ESTIMATED_COST_USD))
		pricing_estimate_entry(r->o->prices, it->e);
	if (k->pending)
		r->spans[k->pending - 1].superseded = 1;
	ALLOC_GROW(r->spans, r->nr_spans + 1, r->alloc_spans);
	sp = &r->spans[r->nr_spans++];
	sp->off = r->rows.len;
	sp->key = k->key;
	sp->superseded = 0;
	sp->keyless = 0;
	k->pending = (uint32_t)r->nr_spans;
	entry_to_row(&r->rows, it->e);
	sp->len = r->rows.len - sp->off;
	return r->rows.len >= FLUSH_BYTES ? flush_rows(r, err) : 0;
}

static void head_hash(int fd, uint64_t upto, char out[65])
{
	char buf[HEAD_BYTES];
	ssize_t n = pread_all(fd, buf, upto < HEAD_BYTES ? (size_t)upto :
			HEAD_BYTES, 0);

	sha256_hex(buf, n > 0 ? (size_t)n : 0, out, 64);
	out[64] = '\0';
}

/* Where to start reading: 0 for a new, truncated or replaced file. */
static uint64_t start_offset(struct run *r, struct file_state *fs,
		const struct stat *st, int fd)
{
	char head[65];

	if (!fs->offset)
		return 0;
	if (fs->dev != (uint64_t)st->st_dev || fs->ino != (uint64_t)st->st_ino ||
	    (uint64_t)st->st_size < fs->offset)
		goto restart;
	head_hash(fd, fs->offset, head);
	if (strcmp(head, fs->head))
		goto restart;
	return fs->offset;
restart:
	r->st->files_restarted++;
	return 0;
}

static int unchanged(const struct file_state *fs, const struct stat *st)
{
	return fs->offset && fs->dev == (uint64_t)st->st_dev &&
	       fs->ino == (uint64_t)st->st_ino &&
	       fs->size == (uint64_t)st->st_size &&
	       fs->offset == (uint64_t)st->st_size &&
	       fs->mtime_ns == (uint64_t)st->st_mtim.tv_sec * 1000000000u +
			(uint64_t)st->st_mtim.tv_nsec;
}

/* One line (or document) of a log through the agent's parser. */
static int take_line(struct run *r, struct import_file *in, const char *text,
		size_t len, int too_long, struct strbuf *err)
{
	struct import_item it = { .e = &r->e };
	enum import_skip skip = SKIP_MALFORMED;

	r->st->lines++;
	r->judged = NULL;
	entry_reset(&r->e);
	mempool_reset(&r->pool);
	if (too_long) {
		r->st->skipped[SKIP_MALFORMED]++;
		return 0;
	}
	switch (r->a->line(in, text, len, &it, &skip)) {
	case 0:
		r->st->skipped[skip]++;
		return 0;
	case 1:
		return take_item(r, &it, err);
	}
	return 0;
}

int import_line(struct import_file *f, const char *text, size_t len,
		struct strbuf *err)
{
	struct run *r = f->run;

	return r ? take_line(r, f, text, len, 0, err) : 0;
}

static int load_keys_once(struct run *r, struct strbuf *err)
{
	if (r->keys_loaded)
		return 0;
	r->keys_loaded = 1;
	return keys_load(&r->keys, r->keys_path, err);
}

/* What a file read up to end was, so that the next run knows. */
static void note_read(struct run *r, struct file_state *fs,
		struct import_file *in, const struct stat *st, int fd,
		uint64_t end)
{
	fs->dev = (uint64_t)st->st_dev;
	fs->ino = (uint64_t)st->st_ino;
	fs->size = (uint64_t)st->st_size;
	fs->mtime_ns = (uint64_t)st->st_mtim.tv_sec * 1000000000u +
		(uint64_t)st->st_mtim.tv_nsec;
	fs->offset = end;
	head_hash(fd, end, fs->head);
	free(fs->parser);
	fs->parser = NULL;
	if (r->a->state_save) {
		struct strbuf ps = STRBUF_INIT;

		r->a->state_save(in, &ps);
		fs->parser = ps.len ? strbuf_detach(&ps, NULL) : NULL;
		if (!fs->parser)
			strbuf_release(&ps);
	}
}

/*
 * A database (agent->db_name): the agent reads it from where its state
 * says and hands each row on (import_line()). Its writes may sit in a
 * write-ahead log beside it, so it is read even when it looks unchanged.
 */
static int import_db(struct run *r, struct file_state *fs,
		struct import_file *in, int fd, const struct stat *st,
		struct strbuf *err)
{
	uint64_t lines = r->st->lines;
	int ret;

	if (r->a->state_reset)
		r->a->state_reset(in);
	if (fs->parser && r->a->state_load)
		r->a->state_load(in, fs->parser);
	ret = r->a->read_db(in, err);
	if (!ret) {
		if (r->st->lines > lines)
			r->st->bytes += (uint64_t)st->st_size;
		note_read(r, fs, in, st, fd, 0);
	}
	return ret;
}

/* The most a log read whole (agent->whole_files) may hold. */
#define WHOLE_FILE_MAX (256u << 20)

/* A log that is one document: read whole, again whenever it changed. */
static int import_whole(struct run *r, struct file_state *fs,
		struct import_file *in, int fd, const struct stat *st,
		struct strbuf *err)
{
	size_t size = (size_t)st->st_size;
	char *text;
	ssize_t n;
	int ret;

	if (fs->offset)
		r->st->files_restarted++;
	if (r->a->state_reset)
		r->a->state_reset(in);
	if (size > WHOLE_FILE_MAX)
		return take_line(r, in, "", 0, 1, err);
	text = xmalloc(size + 1);
	n = pread_all(fd, text, size, 0);
	if (r->a->read_whole)
		ret = r->a->read_whole(in, text, n > 0 ? (size_t)n : 0, err);
	else
		ret = take_line(r, in, text, n > 0 ? (size_t)n : 0, 0, err);
	free(text);
	if (!ret) {
		r->st->bytes += n > 0 ? (uint64_t)n : 0;
		note_read(r, fs, in, st, fd, n > 0 ? (uint64_t)n : 0);
	}
	return ret;
}

/*
 * Whether a file is the agent's database: named as its databases are,
 * or, for an agent that has one, any file that is not one of its logs
 * (a copy given by path, OPENCODE_DB's).
 */
static int is_db(const struct agent *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	return a->db_name && (!fnmatch(a->db_name, base, FNM_PERIOD) ||
			      !is_log_name(a, base));
}

static int import_lines(struct run *r, struct file_state *fs,
		struct import_file *in, int fd, const struct stat *st,
		struct strbuf *err)
{
	uint64_t from = start_offset(r, fs, st, fd);
	struct ledger_reader rd;
	struct ledger_line line;
	int ret;

	if (r->a->state_reset)
		r->a->state_reset(in);
	if (!from && r->a->begin)
		r->a->begin(in, fd);
	if (from && fs->parser && r->a->state_load)
		r->a->state_load(in, fs->parser);
	ledger_reader_open_fd(&rd, fd, from);
	while ((ret = ledger_reader_next(&rd, &line, err)) > 0) {
		/* A last line still being written is read next time. */
		if (line.torn) {
			ret = 0;
			break;
		}
		if ((ret = take_line(r, in, line.text, line.len,
				line.too_long, err)))
			break;
	}
	if (!ret) {
		uint64_t end = ledger_reader_offset(&rd);

		r->st->bytes += end - from;
		note_read(r, fs, in, st, fd, end);
	}
	ledger_reader_close(&rd);
	return ret;
}

static int import_file(struct run *r, const struct found *f,
		struct strbuf *err)
{
	struct file_state *fs = state_find(&r->state, f->path);
	struct import_file in = { .path = f->path, .rel = f->rel,
		.pool = &r->pool, .state = r->parser_state, .run = r };
	int db = is_db(r->a, f->path);
	struct stat st;
	int fd, ret;

	fs->seen = 1;
	r->st->files++;
	/* As found a moment ago: an unchanged file costs no more calls. */
	st = f->st;
	if (!db && unchanged(fs, &st)) {
		r->st->files_unchanged++;
		return 0;
	}
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		warning("cannot read %s: %s", f->path, strerror(errno));
		return 0;
	}
	if ((ret = load_keys_once(r, err))) {
		close(fd);
		return ret;
	}
	/* The line reader owns fd and closes it; the others do not. */
	if (!db && !is_whole(r->a, f->path))
		return import_lines(r, fs, &in, fd, &st, err);
	ret = db ? import_db(r, fs, &in, fd, &st, err) :
		import_whole(r, fs, &in, fd, &st, err);
	close(fd);
	return ret;
}

static void state_paths(const struct scope *sc, const struct agent *a,
		struct strbuf *dir, struct strbuf *state, struct strbuf *keys,
		struct strbuf *lock)
{
	path_join(dir, sc->dir, "import-state");
	strbuf_addf(state, "%s/%s.json", dir->buf, a->name);
	strbuf_addf(keys, "%s/%s.keys", dir->buf, a->name);
	strbuf_addf(lock, "%s/%s.lock", dir->buf, a->name);
}

int import_run(const struct agent *a, const char *const *paths, size_t n,
		const struct scope *sc, const struct import_opts *o,
		struct import_stats *st, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, state_path = STRBUF_INIT;
	struct strbuf keys_path = STRBUF_INIT, lock_path = STRBUF_INIT;
	struct found_list found = { 0 };
	struct run r = { .a = a, .o = o, .st = st };
	struct file_lock lk = FILE_LOCK_INIT;
	int ret;

	memset(st, 0, sizeof(*st));
	state_paths(sc, a, &dir, &state_path, &keys_path, &lock_path);
	ret = find_files(a, paths, n, &found, err);
	if (!ret && !o->dry_run) {
		ret = scope_prepare(sc, err);
		if (!ret && mkdir_p(dir.buf))
			ret = fail_errno(err, T_ELEDGER, "cannot create '%s'",
					dir.buf);
	}
	/* One import of an agent at a time per scope; records go on. */
	if (!ret && !o->dry_run) {
		ret = lock_acquire(&lk, lock_path.buf,
				o->no_wait ? 0 : o->lock_timeout_ms, err);
		if (ret && o->no_wait && errno == EWOULDBLOCK) {
			strbuf_reset(err);
			st->busy = 1;
			ret = 0;
		}
	}
	if (!ret)
		ret = state_load(&r.state, state_path.buf, err);
	r.keys_path = keys_path.buf;
	r.parser_state = a->state_size ? xcalloc(1, a->state_size) : NULL;
	strbuf_init(&r.rows, 0);
	entry_init(&r.e);
	ledger_init(&r.ledger, sc->ledger_path, sc->lock_path, o->fsync,
			o->lock_timeout_ms);
	for (size_t i = 0; i < found.nr; i++) {
		const struct stat *fst = &found.items[i].st;
		int64_t m = (int64_t)fst->st_mtim.tv_sec * 1000 +
			fst->st_mtim.tv_nsec / 1000000;

		if (!st->oldest_mtime || m < st->oldest_mtime)
			st->oldest_mtime = m;
	}
	for (size_t i = 0; !ret && !st->busy && i < found.nr; i++)
		ret = import_file(&r, &found.items[i], err);
	if (!ret && !st->busy)
		ret = flush_rows(&r, err);
	if (!ret && !o->dry_run && r.keys.dirty)
		ret = keys_save(&r.keys, keys_path.buf, err);
	if (!ret && !o->dry_run && (st->bytes || st->files_restarted ||
				     r.keys.dirty))
		ret = state_save(&r.state, state_path.buf, err);
	if (lk.fd >= 0)
		lock_release(&lk);
	ledger_release(&r.ledger);
	entry_release(&r.e);
	mempool_release(&r.pool);
	free(r.parser_state);
	strbuf_release(&r.rows);
	free(r.spans);
	keys_release(&r.keys);
	state_release(&r.state);
	for (size_t i = 0; i < found.nr; i++) {
		free(found.items[i].path);
		free(found.items[i].rel);
	}
	free(found.items);
	strbuf_release(&dir);
	strbuf_release(&state_path);
	strbuf_release(&keys_path);
	strbuf_release(&lock_path);
	return ret;
}

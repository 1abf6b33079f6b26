#include "publish.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device.h"
#include "entry.h"
#include "error.h"
#include "fsutil.h"
#include "hashset.h"
#include "jsonscan.h"
#include "jsonw.h"
#include "ledger.h"
#include "lock.h"
#include "remote.h"
#include "scope.h"
#include "sha256.h"
#include "banned.h"

/* The most one segment may hold: a bigger file is not a segment of ours. */
#define SEGMENT_MAX (256u << 20)

/* ---- state: what each folder has had, what each part has read ---- */

struct ledger_mark_pub {
	char *path;
	uint64_t dev, ino, offset;
};

struct folder_state {
	uint64_t seq;             /* publish: rows written; pull: rows read */
	struct ledger_mark_pub *marks;
	size_t nmarks, alloc;
};

static void folder_state_release(struct folder_state *fs)
{
	for (size_t i = 0; i < fs->nmarks; i++)
		free(fs->marks[i].path);
	free(fs->marks);
	memset(fs, 0, sizeof(*fs));
}

/* <dir>/<prefix><16 hex digits of the folder's real path>.json */
static void state_path(struct strbuf *out, const char *dir, const char *prefix,
		const char *folder)
{
	char hex[17];

	sha256_hex(folder, strlen(folder), hex, 16);
	path_join(out, dir, prefix);
	strbuf_addf(out, "%s.json", hex);
}

static int read_mark(struct jscan *s, struct folder_state *fs)
{
	struct ledger_mark_pub m = { 0 };
	struct js_span key, v;
	int ret;

	if (js_object_begin(s) < 0)
		return -1;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "path") && !js_string(s, &v) &&
		    !v.escaped && !m.path)
			m.path = xstrndup(v.p, v.len);
		else if (js_key_is(&key, "dev"))
			ret = js_int64(s, (int64_t *)&m.dev);
		else if (js_key_is(&key, "ino"))
			ret = js_int64(s, (int64_t *)&m.ino);
		else if (js_key_is(&key, "offset"))
			ret = js_int64(s, (int64_t *)&m.offset);
		else
			ret = js_skip(s);
		if (ret < 0)
			break;
	}
	if (ret < 0 || !m.path) {
		free(m.path);
		return -1;
	}
	ALLOC_GROW(fs->marks, fs->nmarks + 1, fs->alloc);
	fs->marks[fs->nmarks++] = m;
	return 0;
}

/* A missing or damaged state is a folder never published to or read. */
static void state_load(const char *path, const char *folder,
		struct folder_state *fs)
{
	struct strbuf text = STRBUF_INIT;
	struct js_span key, v;
	struct jscan s;
	int same = 0, ret;

	if (strbuf_read_file(&text, path) < 0 || text.len > (1u << 20))
		goto out;
	js_init(&s, text.buf, text.len);
	if (js_object_begin(&s) < 0)
		goto out;
	while ((ret = js_member(&s, &key)) > 0) {
		if (js_key_is(&key, "dir")) {
			if (js_string(&s, &v) < 0)
				break;
			same = v.len == strlen(folder) &&
				!memcmp(v.p, folder, v.len);
		} else if (js_key_is(&key, "seq")) {
			if (js_int64(&s, (int64_t *)&fs->seq) < 0)
				break;
		} else if (js_key_is(&key, "ledgers") &&
			   js_peek(&s) == JS_ARRAY) {
			js_array_begin(&s);
			while (js_element(&s) > 0)
				if (read_mark(&s, fs) < 0)
					goto out;
		} else if (js_skip(&s) < 0) {
			break;
		}
	}
out:
	if (!same)
		folder_state_release(fs);
	strbuf_release(&text);
}

static int state_save(const char *path, const char *folder,
		const struct folder_state *fs, int sync, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	struct jsonw w;
	int ret;

	jw_init(&w, &text, JW_PRETTY);
	jw_object_begin(&w);
	jw_kv_string(&w, "dir", folder);
	jw_kv_int(&w, "seq", (int64_t)fs->seq);
	jw_key(&w, "ledgers");
	jw_array_begin(&w);
	for (size_t i = 0; i < fs->nmarks; i++) {
		jw_object_begin(&w);
		jw_kv_string(&w, "path", fs->marks[i].path);
		jw_kv_int(&w, "dev", (int64_t)fs->marks[i].dev);
		jw_kv_int(&w, "ino", (int64_t)fs->marks[i].ino);
		jw_kv_int(&w, "offset", (int64_t)fs->marks[i].offset);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	strbuf_addch(&text, '\n');
	ret = (sync ? write_file_atomic : write_file_atomic_nosync)(path,
			text.buf, text.len);
	strbuf_release(&text);
	return ret ? fail_errno(err, T_ELEDGER, "cannot write '%s'", path) : 0;
}

static struct ledger_mark_pub *mark_of(struct folder_state *fs,
		const char *path)
{
	for (size_t i = 0; i < fs->nmarks; i++)
		if (!strcmp(fs->marks[i].path, path))
			return &fs->marks[i];
	ALLOC_GROW(fs->marks, fs->nmarks + 1, fs->alloc);
	memset(&fs->marks[fs->nmarks], 0, sizeof(*fs->marks));
	fs->marks[fs->nmarks].path = xstrdup(path);
	return &fs->marks[fs->nmarks++];
}

/* This device's id, made when there is none yet: NULL with err. */
static const char *self_device(const char *root, struct strbuf *err)
{
	const char *self = device_id();

	if (!self)
		fail(err, T_ELEDGER, "cannot make this device's id in '%s'",
				root);
	return self;
}

/* The folder's real path: it names the folder's state. */
static int real_folder(const char *folder, struct strbuf *out,
		struct strbuf *err)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(folder, real) || stat(real, &st))
		return fail_errno(err, T_EUSAGE, "cannot use the folder '%s'",
				folder);
	if (!S_ISDIR(st.st_mode))
		return fail(err, T_EUSAGE, "'%s' is not a folder", folder);
	strbuf_addstr(out, real);
	return 0;
}

/* ---- publish ---- */

struct segment_out {
	struct strbuf tmp;
	int fd;
	uint64_t rows;
	struct strbuf row;
	/*
	 * The rows the folder has had, by hash: a ledger rewritten by
	 * compaction keeps its rows byte for byte, so only what is new in
	 * it (its rollups) goes again. Kept in <state>.seen.
	 */
	struct hashset seen;
	struct strbuf seen_new;   /* hashes to append, 8 bytes each */
};

static uint64_t row_hash(const struct strbuf *row)
{
	unsigned char md[32];
	struct sha256 c;
	uint64_t h = 0;

	sha256_init(&c);
	sha256_update(&c, row->buf, row->len);
	sha256_final(&c, md);
	for (int i = 0; i < 8; i++)
		h = h << 8 | md[i];
	return h;
}

static void seen_load(struct segment_out *so, const char *path)
{
	struct strbuf bytes = STRBUF_INIT;

	if (strbuf_read_file(&bytes, path) >= 0)
		for (size_t i = 0; i + 8 <= bytes.len; i += 8) {
			uint64_t h = 0;

			for (int k = 0; k < 8; k++)
				h = h << 8 | (unsigned char)bytes.buf[i + k];
			hashset_add(&so->seen, h);
		}
	strbuf_release(&bytes);
}

/* Appends the hashes of the rows just published. */
static int seen_save(struct segment_out *so, const char *path, int sync,
		struct strbuf *err)
{
	int fd, ret = 0;

	if (!so->seen_new.len)
		return 0;
	fd = open_private(path, O_WRONLY | O_APPEND);
	if (fd < 0 || write_all(fd, so->seen_new.buf, so->seen_new.len) ||
	    (sync && fsync(fd)))
		ret = fail_errno(err, T_ELEDGER, "cannot write '%s'", path);
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * One row of this device for the segment: as it is in the ledger, or
 * with this device's id when it has none (earlier releases' rows).
 */
static int put_row(struct segment_out *so, const struct ledger_line *line,
		const char *self, uint64_t *others, struct strbuf *err)
{
	struct entry e;
	const char *why;
	uint64_t h;
	int ret = 0;

	entry_init(&e);
	if (line->too_long || entry_parse(&e, line->text, line->len, &why))
		goto out;   /* the reports leave it out; so does the folder */
	if (e.device_id && *e.device_id && strcmp(e.device_id, self)) {
		(*others)++;
		goto out;
	}
	strbuf_reset(&so->row);
	if (e.device_id && *e.device_id) {
		strbuf_add(&so->row, line->text, line->len);
		strbuf_addch(&so->row, '\n');
	} else {
		entry_set_str(&e, EF_DEVICE_ID, self);
		entry_to_row(&so->row, &e);
	}
	h = row_hash(&so->row);
	if (!hashset_add(&so->seen, h))
		goto out;   /* the folder has it, from before a rewrite */
	for (int i = 7; i >= 0; i--)
		strbuf_addch(&so->seen_new, (char)(h >> (8 * i)));
	if (write_all(so->fd, so->row.buf, so->row.len))
		ret = fail_errno(err, T_ELEDGER, "cannot write '%s'",
				so->tmp.buf);
	else
		so->rows++;
out:
	entry_release(&e);
	return ret;
}

/* The rows of one ledger the folder has not had (all, after a rewrite). */
static int publish_ledger(struct segment_out *so, const char *path,
		struct folder_state *fs, const char *self, uint64_t *others,
		struct strbuf *err)
{
	struct ledger_mark_pub *m = mark_of(fs, path);
	struct ledger_reader rd;
	struct ledger_line line;
	struct stat st;
	uint64_t from = 0;
	int ret;

	if (lstat(path, &st))
		return 0;   /* a scope that never recorded anything */
	if ((uint64_t)st.st_dev == m->dev && (uint64_t)st.st_ino == m->ino &&
	    (uint64_t)st.st_size >= m->offset)
		from = m->offset;
	if ((ret = ledger_reader_open(&rd, path, from, 0, err)))
		return ret;
	while ((ret = ledger_reader_next(&rd, &line, err)) > 0) {
		if (line.torn)
			break;
		if ((ret = put_row(so, &line, self, others, err)))
			break;
	}
	if (!ret) {
		m->dev = (uint64_t)rd.dev;
		m->ino = (uint64_t)rd.ino;
		m->offset = ledger_reader_offset(&rd);
	}
	ledger_reader_close(&rd);
	return ret;
}

/* Writes path from a temporary file beside it, renamed into place. */
static int write_beside(const char *path, const char *data, size_t len,
		struct strbuf *err)
{
	return write_file_atomic(path, data, len) ?
		fail_errno(err, T_ELEDGER, "cannot write '%s'", path) : 0;
}

static int write_device_json(const char *dir, const struct publish_opts *o,
		const char *self, uint64_t last, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct jsonw w;
	int ret;

	jw_init(&w, &text, JW_PRETTY);
	jw_object_begin(&w);
	jw_kv_string(&w, "deviceId", self);
	if (o->device_name && *o->device_name)
		jw_kv_string(&w, "name", o->device_name);
	/* Nothing that changes unless rows do: a git folder sees no change. */
	jw_kv_int(&w, "lastRow", (int64_t)last);
	jw_object_end(&w);
	strbuf_addch(&text, '\n');
	path_join(&path, dir, "device.json");
	ret = write_beside(path.buf, text.buf, text.len, err);
	strbuf_release(&path);
	strbuf_release(&text);
	return ret;
}

/* The device's directory in the folder, readable as the umask allows. */
static int device_folder(const char *folder, const char *self,
		struct strbuf *out, struct strbuf *err)
{
	path_join(out, folder, self);
	if (mkdir(out->buf, 0777) && errno != EEXIST)
		return fail_errno(err, T_ELEDGER, "cannot make '%s'", out->buf);
	return 0;
}

/* Renames the finished segment into place: from then on it is whole. */
static int segment_finish(struct segment_out *so, const char *dir,
		const struct publish_opts *o, struct publish_stats *st,
		uint64_t seq, struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT;
	int ret = 0;

	st->first = seq + 1;
	st->last = seq + so->rows;
	path_join(&name, dir, "");
	segment_name(&name, st->first, st->last);
	if ((o->fsync && fsync(so->fd)) || close(so->fd))
		ret = fail_errno(err, T_ELEDGER, "cannot write '%s'",
				so->tmp.buf);
	so->fd = -1;
	if (!ret && rename(so->tmp.buf, name.buf))
		ret = fail_errno(err, T_ELEDGER, "cannot write '%s'", name.buf);
	if (!ret && o->fsync)
		fsync_parent_dir(name.buf);
	strbuf_release(&name);
	return ret;
}

static int last_published(const char *dir, uint64_t *seq, struct strbuf *err)
{
	struct segment_list segs = SEGMENT_LIST_INIT;
	int ret = segments_list(dir, &segs, err);

	for (size_t i = 0; !ret && i < segs.nr; i++)
		if (segs.v[i].last > *seq)
			*seq = segs.v[i].last;
	segment_list_release(&segs);
	return ret;
}

int publish_run(const struct publish_opts *o, struct publish_stats *st,
		struct strbuf *err)
{
	struct strbuf folder = STRBUF_INIT, dir = STRBUF_INIT;
	struct strbuf state = STRBUF_INIT, lockp = STRBUF_INIT;
	struct segment_out so = { STRBUF_INIT, -1, 0, STRBUF_INIT, { 0 },
		STRBUF_INIT };
	struct strbuf seen = STRBUF_INIT;
	struct scope_list scopes = SCOPE_LIST_INIT;
	struct folder_state fs = { 0 };
	struct file_lock lk = FILE_LOCK_INIT;
	const char *self;
	int ret;

	memset(st, 0, sizeof(*st));
	if (!(self = self_device(o->root, err)))
		return T_ELEDGER;
	snprintf(st->device, sizeof(st->device), "%s", self);
	if ((ret = real_folder(o->folder, &folder, err)))
		goto out;
	path_join(&state, o->root, "publish");
	if (mkdir_p(state.buf)) {
		ret = fail_errno(err, T_ELEDGER, "cannot make '%s'", state.buf);
		goto out;
	}
	strbuf_reset(&state);
	state_path(&state, o->root, "publish/", folder.buf);
	strbuf_addf(&lockp, "%.*s.lock", (int)(state.len - 5), state.buf);
	if ((ret = lock_acquire(&lk, lockp.buf, o->lock_timeout_ms, err)) ||
	    (ret = device_folder(folder.buf, self, &dir, err)) ||
	    (ret = scope_list_all(&scopes, o->root, err)))
		goto out;
	state_load(state.buf, folder.buf, &fs);
	strbuf_addf(&seen, "%.*s.seen", (int)(state.len - 5), state.buf);
	seen_load(&so, seen.buf);
	/* Numbers go on after the folder's last segment, state lost or not. */
	if ((ret = last_published(dir.buf, &fs.seq, err)))
		goto out;
	path_join(&so.tmp, dir.buf, ".tally-");
	strbuf_addf(&so.tmp, "%ld.tmp", (long)getpid());
	so.fd = open(so.tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
			O_NOFOLLOW, 0666);
	if (so.fd < 0) {
		ret = fail_errno(err, T_ELEDGER, "cannot write '%s'",
				so.tmp.buf);
		goto out;
	}
	for (size_t i = 0; i < scopes.nr && !ret; i++)
		ret = publish_ledger(&so, scopes.v[i].ledger_path, &fs, self,
				&st->others, err);
	st->rows = so.rows;
	if (!ret && so.rows)
		ret = segment_finish(&so, dir.buf, o, st, fs.seq, err);
	if (!ret)
		ret = seen_save(&so, seen.buf, o->fsync, err);
	if (!ret) {
		fs.seq += so.rows;
		ret = write_device_json(dir.buf, o, self, fs.seq, err);
	}
	if (!ret)
		ret = state_save(state.buf, folder.buf, &fs, o->fsync, err);
out:
	if (so.fd >= 0)
		close(so.fd);
	if (so.tmp.len)
		unlink(so.tmp.buf);
	lock_release(&lk);
	scope_list_release(&scopes);
	folder_state_release(&fs);
	strbuf_release(&so.tmp);
	strbuf_release(&so.row);
	strbuf_release(&so.seen_new);
	hashset_release(&so.seen);
	strbuf_release(&seen);
	strbuf_release(&folder);
	strbuf_release(&dir);
	strbuf_release(&state);
	strbuf_release(&lockp);
	return ret;
}

/* ---- pull ---- */

/*
 * Reads a whole segment of device dev into rows: every line a valid row
 * of that device (one without an id gets it), as many as its name says,
 * the last one ended. 0, or 1 when it is not (yet) whole.
 */
static int read_segment(const struct segment *sg, const char *dev,
		struct strbuf *rows, int *has_rollup)
{
	struct strbuf text = STRBUF_INIT, row = STRBUF_INIT;
	uint64_t n = 0;
	size_t pos = 0;
	struct entry e;
	int fd = open(sg->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), bad = 0;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > SEGMENT_MAX || strbuf_read_fd(&text, fd) ||
	    !text.len || text.buf[text.len - 1] != '\n')
		bad = 1;
	if (fd >= 0)
		close(fd);
	entry_init(&e);
	while (!bad && pos < text.len) {
		char *nl = memchr(text.buf + pos, '\n', text.len - pos);
		const char *why;
		size_t len = (size_t)(nl - text.buf) - pos;

		entry_reset(&e);
		if (entry_parse(&e, text.buf + pos, len, &why) ||
		    (e.device_id && *e.device_id && strcmp(e.device_id, dev))) {
			bad = 1;
			break;
		}
		if (!e.device_id || !*e.device_id)
			entry_set_str(&e, EF_DEVICE_ID, dev);
		if (entry_is_rollup(&e))
			*has_rollup = 1;
		strbuf_reset(&row);
		entry_to_row(&row, &e);
		strbuf_addbuf(rows, &row);
		pos = (size_t)(nl - text.buf) + 1;
		n++;
	}
	entry_release(&e);
	strbuf_release(&text);
	strbuf_release(&row);
	return bad || n != sg->last - sg->first + 1;
}

/* A rollup's reach: its figures replace the entries in it. */
static uint64_t reach_hash(const struct entry *e, int64_t day_start)
{
	const char *parts[5] = { e->provider_id, e->model_id,
		entry_tag(e, "project"), e->source, NULL };
	uint64_t h = 1469598103934665603ULL;

	for (int i = 0; i < 4; i++) {
		for (const char *p = parts[i] ? parts[i] : ""; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0x1f) * 1099511628211ULL;
	}
	for (int i = 0; i < 8; i++)
		h = (h ^ (uint64_t)((day_start >> (8 * i)) & 0xff)) *
			1099511628211ULL;
	return h;
}

struct reach {
	struct hashset keys;
	int64_t *starts, *ends;   /* the days rollups cover, sorted by start */
	size_t nr, alloc;
};

static int collect_reach(const struct entry *e, const struct ledger_line *l,
		void *data)
{
	struct reach *r = data;

	(void)l;
	if (!entry_is_rollup(e) || !entry_has(e, EF_STARTED_AT) ||
	    !entry_has(e, EF_COMPLETED_AT))
		return 0;
	hashset_add(&r->keys, reach_hash(e, e->started_at));
	for (size_t i = 0; i < r->nr; i++)
		if (r->starts[i] == e->started_at)
			return 0;
	ALLOC_GROW(r->starts, r->nr + 1, r->alloc);
	r->ends = xrealloc(r->ends, r->alloc * sizeof(*r->ends));
	r->starts[r->nr] = e->started_at;
	r->ends[r->nr++] = e->completed_at;
	return 0;
}

/* Whether a usage entry lies in a rollup of the same key. */
static int in_reach(const struct reach *r, const struct entry *e)
{
	int64_t t = entry_time(e);

	if (!entry_is_usage(e))
		return 0;
	for (size_t i = 0; i < r->nr; i++)
		if (t >= r->starts[i] && t < r->ends[i] &&
		    hashset_has(&r->keys, reach_hash(e, r->starts[i])))
			return 1;
	return 0;
}

struct keep {
	const struct reach *r;
	struct strbuf rows;
	uint64_t dropped;
};

static int keep_row(const struct entry *e, const struct ledger_line *l,
		void *data)
{
	struct keep *k = data;

	if (in_reach(k->r, e)) {
		k->dropped++;
		return 0;
	}
	strbuf_add(&k->rows, l->text, l->len);
	strbuf_addch(&k->rows, '\n');
	return 0;
}

/*
 * A device compacts its own ledger: its rollups then stand for entries
 * it published one by one before. The part keeps the rollups and drops
 * those entries, so that nothing counts twice. The lock is held.
 */
static int supersede(struct ledger *l, uint64_t *dropped, struct strbuf *err)
{
	struct reach r = { 0 };
	struct keep k = { &r, STRBUF_INIT, 0 };
	int ret = ledger_scan(l->path, collect_reach, &r, NULL, err);

	if (!ret)
		ret = ledger_scan(l->path, keep_row, &k, NULL, err);
	if (!ret && k.dropped)
		ret = ledger_rewrite_locked(l, k.rows.buf, k.rows.len, err);
	*dropped += k.dropped;
	hashset_release(&r.keys);
	free(r.starts);
	free(r.ends);
	strbuf_release(&k.rows);
	return ret;
}

/* The device's name from its device.json, kept beside its part. */
static void copy_device_json(const char *from_dir, const char *part,
		int sync)
{
	struct strbuf from = STRBUF_INIT, to = STRBUF_INIT, text = STRBUF_INIT;
	struct strbuf out = STRBUF_INIT;
	struct js_span key, v;
	struct jscan s;
	struct jsonw w;
	int ret;

	path_join(&from, from_dir, "device.json");
	if (strbuf_read_file(&text, from.buf) < 0 || text.len > 4096)
		goto done;
	js_init(&s, text.buf, text.len);
	if (js_object_begin(&s) < 0)
		goto done;
	while ((ret = js_member(&s, &key)) > 0) {
		char *name;

		if (!js_key_is(&key, "name") || js_peek(&s) != JS_STRING) {
			if (js_skip(&s) < 0)
				goto done;
			continue;
		}
		if (js_string(&s, &v) < 0 || !v.len || v.len > 100)
			goto done;
		name = xstrndup(v.p, v.len);
		jw_init(&w, &out, JW_PRETTY);
		jw_object_begin(&w);
		/* Escaped as it came: the reports escape what they show. */
		jw_kv_string(&w, "name", name);
		jw_object_end(&w);
		strbuf_addch(&out, '\n');
		free(name);
		path_join(&to, part, "device.json");
		(sync ? write_file_atomic : write_file_atomic_nosync)(to.buf,
				out.buf, out.len);
		break;
	}
done:
	strbuf_release(&from);
	strbuf_release(&to);
	strbuf_release(&text);
	strbuf_release(&out);
}

/* Reads one device's new segments into its part. */
static int pull_device(const struct publish_opts *o, const char *folder,
		const char *dev, struct pull_stats *st, struct strbuf *err)
{
	struct strbuf from = STRBUF_INIT, part = STRBUF_INIT;
	struct strbuf state = STRBUF_INIT;
	struct strbuf rows = STRBUF_INIT, lp = STRBUF_INIT, lk = STRBUF_INIT;
	struct segment_list segs = SEGMENT_LIST_INIT;
	struct folder_state fs = { 0 };
	struct ledger l;
	int ret, locked = 0;

	path_join(&from, folder, dev);
	remote_dir(&part, o->root, dev);
	path_join(&lp, part.buf, "usage-ledger.jsonl");
	path_join(&lk, part.buf, "usage-ledger.lock");
	ledger_init(&l, lp.buf, lk.buf, o->fsync, o->lock_timeout_ms);
	if ((ret = segments_list(from.buf, &segs, err)))
		goto out;
	if (mkdir_p(part.buf)) {
		ret = fail_errno(err, T_ELEDGER, "cannot make '%s'", part.buf);
		goto out;
	}
	state_path(&state, part.buf, "pulled-", folder);
	if ((ret = ledger_lock(&l, err)))
		goto out;
	locked = 1;
	state_load(state.buf, folder, &fs);
	for (size_t i = 0; i < segs.nr && !ret; i++) {
		const struct segment *sg = &segs.v[i];
		int has_rollup = 0;

		if (sg->last <= fs.seq)
			continue;   /* read before (or a copy of rows read) */
		strbuf_reset(&rows);
		if (sg->first != fs.seq + 1 ||
		    read_segment(sg, dev, &rows, &has_rollup)) {
			st->waiting += segs.nr - i;
			break;
		}
		ret = ledger_append_locked(&l, rows.buf, rows.len, err);
		if (!ret && has_rollup)
			ret = supersede(&l, &st->superseded, err);
		if (!ret) {
			fs.seq = sg->last;
			st->segments++;
			st->rows += sg->last - sg->first + 1;
			ret = state_save(state.buf, folder, &fs, o->fsync, err);
		}
	}
	copy_device_json(from.buf, part.buf, o->fsync);
out:
	if (locked)
		ledger_unlock(&l);
	ledger_release(&l);
	segment_list_release(&segs);
	folder_state_release(&fs);
	strbuf_release(&from);
	strbuf_release(&part);
	strbuf_release(&state);
	strbuf_release(&rows);
	strbuf_release(&lp);
	strbuf_release(&lk);
	return ret;
}

int pull_run(const struct publish_opts *o, struct pull_stats *st,
		struct strbuf *err)
{
	struct strbuf folder = STRBUF_INIT;
	struct string_list devs = STRING_LIST_INIT;
	const char *self;
	int ret;

	memset(st, 0, sizeof(*st));
	if (!(self = self_device(o->root, err)))
		return T_ELEDGER;
	if ((ret = real_folder(o->folder, &folder, err)) ||
	    (ret = folder_devices(folder.buf, &devs, err)))
		goto out;
	for (size_t i = 0; i < devs.nr && !ret; i++) {
		if (!strcmp(devs.items[i], self))
			continue;
		st->devices++;
		ret = pull_device(o, folder.buf, devs.items[i], st, err);
	}
out:
	for (size_t i = 0; i < devs.nr; i++)
		free((char *)devs.items[i]);
	string_list_release(&devs);
	strbuf_release(&folder);
	return ret;
}

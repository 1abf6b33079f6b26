/*
 * tally remotes: the other devices pulled into this data root (their
 * remote parts, lib/remote.h), and forgetting one.
 */
#include "tally.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "../lib/device.h"
#include "../lib/fsutil.h"
#include "../lib/jsonscan.h"
#include "../lib/jsonw.h"
#include "../lib/ledger.h"
#include "../lib/mempool.h"
#include "../lib/remote.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

static const char *const remotes_usage[] = {
	"tally remotes [--json]",
	"tally remotes forget <device-id>",
	NULL,
};

struct part_info {
	const char *id;
	struct strbuf name;       /* from its device.json, or empty */
	uint64_t rows;
	uint64_t last_row;        /* the last segment's last row read */
	int64_t updated;          /* the part's ledger's mtime, ms */
};

/* The highest row read from any folder (pulled-<id>.json's "seq"). */
static uint64_t last_row_read(const char *dir)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct dirent *de;
	uint64_t best = 0;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		struct js_span key;
		struct jscan s;
		int64_t seq;

		if (strncmp(de->d_name, "pulled-", 7))
			continue;
		strbuf_reset(&path);
		strbuf_reset(&text);
		path_join(&path, dir, de->d_name);
		if (strbuf_read_file(&text, path.buf) < 0)
			continue;
		js_init(&s, text.buf, text.len);
		if (js_object_begin(&s) < 0)
			continue;
		while (js_member(&s, &key) > 0) {
			if (js_key_is(&key, "seq") && !js_int64(&s, &seq)) {
				if (seq > 0 && (uint64_t)seq > best)
					best = (uint64_t)seq;
			} else if (js_skip(&s) < 0) {
				break;
			}
		}
	}
	if (d)
		closedir(d);
	strbuf_release(&path);
	strbuf_release(&text);
	return best;
}

static int count_row(const struct entry *e, const struct ledger_line *l,
		void *data)
{
	(void)e;
	(void)l;
	(*(uint64_t *)data)++;
	return 0;
}

static int part_info_of(const struct scope *sc, struct part_info *pi,
		struct strbuf *err)
{
	struct stat st;

	memset(pi, 0, sizeof(*pi));
	strbuf_init(&pi->name, 0);
	pi->id = scope_remote_device(sc);
	remote_device_name(sc->dir, &pi->name);
	pi->last_row = last_row_read(sc->dir);
	if (lstat(sc->ledger_path, &st))
		return 1;   /* forgotten: only its lock is left */
	pi->updated = (int64_t)st.st_mtim.tv_sec * 1000 +
		st.st_mtim.tv_nsec / 1000000;
	return ledger_scan(sc->ledger_path, count_row, &pi->rows, NULL, err);
}

static int list(int json, const struct tally_ctx *ctx, struct strbuf *out,
		struct strbuf *err)
{
	struct scope_list parts = SCOPE_LIST_INIT;
	struct table t;
	struct jsonw w;
	int64_t now = now_ms();
	int ret = scope_list_remotes(&parts, ctx->scope.root, err);

	size_t shown = 0;

	jw_init(&w, out, JW_PRETTY);
	table_init(&t, "llrrr");
	table_head(&t, "DEVICE", "NAME", "ROWS", "LAST ROW", "UPDATED", NULL);
	if (json)
		jw_array_begin(&w);
	for (size_t i = 0; !ret && i < parts.nr; i++) {
		struct part_info pi;
		struct strbuf age = STRBUF_INIT;
		int r = part_info_of(&parts.v[i], &pi, err);

		if (r < 0 || r > 1)
			ret = r;
		if (!r && json) {
			jw_object_begin(&w);
			jw_kv_string(&w, "deviceId", pi.id);
			if (pi.name.len)
				jw_kv_string(&w, "name", pi.name.buf);
			jw_kv_int(&w, "rows", (int64_t)pi.rows);
			jw_kv_int(&w, "lastRow", (int64_t)pi.last_row);
			jw_kv_int(&w, "updatedAt", pi.updated);
			jw_object_end(&w);
		} else if (!r) {
			duration_format_short(&age, now - pi.updated);
			strbuf_addstr(&age, " ago");
			table_cell_str(&t, pi.id);
			table_cell_str(&t, pi.name.len ? pi.name.buf : "-");
			table_cell(&t, "%llu", (unsigned long long)pi.rows);
			table_cell(&t, "%llu", (unsigned long long)pi.last_row);
			table_cell_str(&t, age.buf);
			shown++;
		}
		strbuf_release(&age);
		strbuf_release(&pi.name);
	}
	if (json) {
		jw_array_end(&w);
		strbuf_addch(out, '\n');
	} else if (!ret && shown) {
		table_render(&t, out, 0);
	} else if (!ret) {
		strbuf_addstr(out, "no other device pulled yet "
				"(see 'tally pull')\n");
	}
	table_release(&t);
	scope_list_release(&parts);
	return ret;
}

static int forget(const char *id, const struct tally_ctx *ctx,
		struct strbuf *out, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT;
	struct scope sc;
	struct stat st;
	size_t removed = 0;
	int ret;

	if (!device_id_valid(id, strlen(id)))
		return fail(err, T_EUSAGE, "'%s' is not a device id "
				"(d_ and 20 hex digits)", id);
	remote_dir(&dir, ctx->scope.root, id);
	if (lstat(dir.buf, &st) || !S_ISDIR(st.st_mode)) {
		strbuf_release(&dir);
		return fail(err, T_EUSAGE, "no device %s was pulled", id);
	}
	scope_init_dir(&sc, ctx->scope.root, dir.buf);
	ret = scope_remove_files(&sc, &removed, ctx->cfg.lock_timeout_ms, err);
	if (!ret)
		strbuf_addf(out, "forgot %s: its rows are read again by the "
				"next pull\n", id);
	scope_release(&sc);
	strbuf_release(&dir);
	return ret;
}

int cmd_remotes(int argc, const char **argv, struct tally_ctx *ctx)
{
	int json = 0;
	struct option opts[] = {
		OPT_BOOL(0, "json", &json, "print the list as JSON"),
		OPT_END(),
	};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, remotes_usage, 0);
	if (argc == 1) {
		ret = list(json, ctx, &out, &err);
	} else if (!strcmp(argv[1], "forget") && argc == 3 && !json) {
		ret = forget(argv[2], ctx, &out, &err);
	} else {
		usage_error(remotes_usage, opts, !strcmp(argv[1], "forget") ?
				"forget takes one device id" :
				"unknown subcommand '%s'", argv[1]);
	}
	flush_out(&out);
	strbuf_release(&out);
	return report(ret, &err);
}

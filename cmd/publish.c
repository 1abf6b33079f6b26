/*
 * tally publish, tally pull: one history across machines through a
 * shared folder (lib/publish.h does the work).
 */
#include "tally.h"

#include "../lib/jsonw.h"
#include "../lib/publish.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

static const char *const publish_usage[] = {
	"tally publish [--json] <folder>",
	NULL,
};

static const char *const pull_usage[] = {
	"tally pull [--json] <folder>",
	NULL,
};

static void publish_opts_of(const struct tally_ctx *ctx, const char *folder,
		struct publish_opts *o)
{
	o->root = ctx->scope.root;
	o->folder = folder;
	o->device_name = config_get(&ctx->cfg, "device_name");
	o->now = now_ms();
	o->fsync = ctx->cfg.fsync;
	o->lock_timeout_ms = ctx->cfg.lock_timeout_ms;
}

int cmd_publish(int argc, const char **argv, struct tally_ctx *ctx)
{
	int json = 0;
	struct option opts[] = {
		OPT_BOOL(0, "json", &json, "print the result as JSON"),
		OPT_END(),
	};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct publish_opts o;
	struct publish_stats st;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, publish_usage, 0);
	if (argc != 2)
		usage_error(publish_usage, opts, argc > 2 ? "publish takes one "
				"folder" : "publish needs a folder");
	publish_opts_of(ctx, argv[1], &o);
	ret = publish_run(&o, &st, &err);
	if (!ret && json) {
		struct jsonw w;

		jw_init(&w, &out, JW_PRETTY);
		jw_object_begin(&w);
		jw_kv_string(&w, "deviceId", st.device);
		jw_kv_int(&w, "rows", (int64_t)st.rows);
		if (st.rows) {
			jw_kv_int(&w, "firstRow", (int64_t)st.first);
			jw_kv_int(&w, "lastRow", (int64_t)st.last);
		}
		jw_kv_int(&w, "otherDevicesRows", (int64_t)st.others);
		jw_object_end(&w);
		strbuf_addch(&out, '\n');
	} else if (!ret && st.rows) {
		strbuf_addf(&out, "published %llu row%s of %s "
				"(rows %llu-%llu)\n",
				(unsigned long long)st.rows,
				st.rows == 1 ? "" : "s", st.device,
				(unsigned long long)st.first,
				(unsigned long long)st.last);
	} else if (!ret) {
		strbuf_addf(&out, "nothing new to publish from %s\n",
				st.device);
	}
	flush_out(&out);
	strbuf_release(&out);
	return report(ret, &err);
}

int cmd_pull(int argc, const char **argv, struct tally_ctx *ctx)
{
	int json = 0;
	struct option opts[] = {
		OPT_BOOL(0, "json", &json, "print the result as JSON"),
		OPT_END(),
	};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct publish_opts o;
	struct pull_stats st;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, pull_usage, 0);
	if (argc != 2)
		usage_error(pull_usage, opts, argc > 2 ? "pull takes one "
				"folder" : "pull needs a folder");
	publish_opts_of(ctx, argv[1], &o);
	ret = pull_run(&o, &st, &err);
	if (!ret && json) {
		struct jsonw w;

		jw_init(&w, &out, JW_PRETTY);
		jw_object_begin(&w);
		jw_kv_int(&w, "devices", (int64_t)st.devices);
		jw_kv_int(&w, "segments", (int64_t)st.segments);
		jw_kv_int(&w, "rows", (int64_t)st.rows);
		jw_kv_int(&w, "waiting", (int64_t)st.waiting);
		jw_kv_int(&w, "superseded", (int64_t)st.superseded);
		jw_object_end(&w);
		strbuf_addch(&out, '\n');
	} else if (!ret) {
		strbuf_addf(&out, "pulled %llu row%s in %llu segment%s from "
				"%llu device%s",
				(unsigned long long)st.rows,
				st.rows == 1 ? "" : "s",
				(unsigned long long)st.segments,
				st.segments == 1 ? "" : "s",
				(unsigned long long)st.devices,
				st.devices == 1 ? "" : "s");
		if (st.waiting)
			strbuf_addf(&out, "; %llu segment%s not complete yet",
					(unsigned long long)st.waiting,
					st.waiting == 1 ? "" : "s");
		strbuf_addch(&out, '\n');
	}
	flush_out(&out);
	strbuf_release(&out);
	return report(ret, &err);
}

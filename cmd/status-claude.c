/* status --claude-code: see status-claude.h. */
#include "status-claude.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../importers/import.h"
#include "../lib/entry-id.h"
#include "../lib/ledger.h"
#include "../lib/pricing.h"
#include "../lib/summary.h"
#include "../lib/timeutil.h"
#include "../providers/jsonc.h"
#include "../lib/banned.h"

#define SESSION_ID_MAX 200

static int read_all(int fd, struct strbuf *sb, struct strbuf *err)
{
	for (;;) {
		ssize_t n;

		strbuf_grow(sb, 65536);
		n = read(fd, sb->buf + sb->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail_errno(err, T_EFAIL, "cannot read stdin");
		if (!n)
			return 0;
		strbuf_setlen(sb, sb->len + (size_t)n);
		if (sb->len > CLAUDE_INPUT_MAX)
			return fail(err, T_EFAIL, "--claude-code: stdin holds "
					"more than %d bytes: not what Claude "
					"Code sends", CLAUDE_INPUT_MAX);
	}
}

/* A string member that is printable, not too long, or NULL. */
static const char *plain_string(struct json_object *o, const char *key,
		size_t max)
{
	const char *s = jstr(o, key);

	if (!s || !*s || strlen(s) > max)
		return NULL;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
	return s;
}

static void read_window(struct plan_sample *ps, struct json_object *w,
		const char *name)
{
	struct strbuf why = STRBUF_INIT;
	int64_t used, resets;
	int r1, r2;

	ps->provider = "anthropic";
	ps->window = name;
	if (!w)
		return;
	r1 = jmoney(jpath(w, "used_percentage", NULL), "used_percentage",
			&used, &why);
	r2 = jcount(jpath(w, "resets_at", NULL), "resets_at", &resets, &why);
	if (r1 <= 0 || r2 <= 0 || used < 0 ||
	    used > PLAN_USED_MAX || resets < PLAN_RESET_MIN_S ||
	    resets > PLAN_RESET_MAX_S) {
		warning("--claude-code: rate_limits.%s is not a share used "
				"and a reset time; left out%s%s", name,
				why.len ? ": " : "", why.buf);
		strbuf_release(&why);
		return;
	}
	ps->used = used;
	ps->resets_at = resets * 1000;
	ps->known = 1;
	strbuf_release(&why);
}

int claude_input_read(struct claude_input *in, int fd, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	struct json_object *model, *limits;
	int ret;

	memset(in, 0, sizeof(*in));
	ret = read_all(fd, &text, err);
	if (!ret && !(in->root = json_parse_text(text.buf, text.len, err))) {
		struct strbuf why = STRBUF_INIT;

		strbuf_addbuf(&why, err);
		strbuf_reset(err);
		ret = fail(err, T_EFAIL, "--claude-code: stdin is not the JSON "
				"Claude Code sends: %s", why.buf);
		strbuf_release(&why);
	}
	if (!ret && !json_object_is_type(in->root, json_type_object))
		ret = fail(err, T_EFAIL, "--claude-code: stdin is not a JSON "
				"object (Claude Code sends one)");
	if (!ret) {
		in->session_id = plain_string(in->root, "session_id",
				SESSION_ID_MAX);
		in->transcript = plain_string(in->root, "transcript_path",
				PATH_MAX);
		model = jpath(in->root, "model", NULL);
		if (model && json_object_is_type(model, json_type_object)) {
			in->model = plain_string(model, "display_name", 80);
			if (!in->model)
				in->model = plain_string(model, "id", 80);
		}
		limits = jpath(in->root, "rate_limits", NULL);
		if (limits && !json_object_is_type(limits, json_type_object))
			limits = NULL;
		for (int i = 0; i < CLAUDE_WINDOWS; i++) {
			struct json_object *w = limits ?
				jpath(limits, plan_windows[i], NULL) : NULL;

			if (w && !json_object_is_type(w, json_type_object))
				w = NULL;
			read_window(&in->plan[i], w, plan_windows[i]);
		}
	}
	strbuf_release(&text);
	return ret;
}

void claude_input_release(struct claude_input *in)
{
	if (in->root)
		json_object_put(in->root);
	memset(in, 0, sizeof(*in));
}

int claude_import(const struct claude_input *in, const struct tally_ctx *ctx,
		struct strbuf *err)
{
	const char *paths[1] = { in->transcript };
	struct import_opts o = { 0 };
	struct import_stats st;
	struct price_table pt;
	struct stat sb;
	int ret;

	/* Not written yet (a new session), or not a file: nothing to read. */
	if (!in->transcript || in->transcript[0] != '/' ||
	    stat(in->transcript, &sb) || !S_ISREG(sb.st_mode))
		return 0;
	o.now = now_ms();
	o.fsync = ctx->cfg.fsync;
	o.lock_timeout_ms = ctx->cfg.lock_timeout_ms;
	o.no_wait = 1;
	ret = pricing_load(&pt, &ctx->cfg, err);
	o.prices = &pt;
	if (!ret)
		ret = import_run(&agent_claude_code, paths, 1, &ctx->scope, &o,
				&st, err);
	pricing_release(&pt);
	return ret;
}

/* Whether this sample adds to the history of its window. */
static int sample_due(const struct plan_sample *ps, const struct summary *s,
		int64_t now)
{
	const struct quota_state *q = summary_find_quota(s, ps->provider,
			ps->window);

	if (!q || !(q->has & (1u << QF_CAPTURED_AT)) ||
	    !(q->has & (1u << QF_USED_PERCENT)))
		return 1;
	return plan_sample_due(ps, now, 1, q->v[QF_CAPTURED_AT],
			q->v[QF_USED_PERCENT], q->v[QF_RESET_DATE]);
}

int claude_note_plan(const struct claude_input *in,
		const struct summary *s, const struct tally_ctx *ctx,
		int64_t now, struct strbuf *err)
{
	struct strbuf rows = STRBUF_INIT;
	int ret = 0;

	for (int i = 0; i < CLAUDE_WINDOWS; i++)
		if (in->plan[i].known && sample_due(&in->plan[i], s, now))
			plan_sample_row(&rows, &in->plan[i], now,
					"claude-plan", "claude-code-statusline",
					now);
	ret = append_rows(ctx, &rows, err);
	strbuf_release(&rows);
	return ret;
}

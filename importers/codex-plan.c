/* Codex's plan windows: see codex-plan.h. */
#include "codex-plan.h"

#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "../lib/money.h"
#include "../lib/banned.h"

static int scan_int(struct jscan *s, int64_t *out, int *has)
{
	if (js_peek(s) != JS_NUMBER)
		return js_skip(s);
	if (js_int64(s, out) < 0)
		return -1;
	*has = 1;
	return 0;
}

static int cx_window(struct jscan *s, struct cx_window *w)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	w->present = 1;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "used_percent") && js_peek(s) == JS_NUMBER)
			ret = js_number(s, &w->used);
		else if (js_key_is(&key, "window_minutes"))
			ret = scan_int(s, &w->minutes, &w->has_minutes);
		else if (js_key_is(&key, "resets_at"))
			ret = scan_int(s, &w->resets_at, &w->has_resets_at);
		else if (js_key_is(&key, "resets_in_seconds"))
			ret = scan_int(s, &w->resets_in, &w->has_resets_in);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

int cx_plan_scan(struct jscan *s, struct cx_plan *p)
{
	struct js_span key;
	int ret;

	if ((ret = js_object_or_skip(s)) <= 0)
		return ret;
	while ((ret = js_member(s, &key)) > 0) {
		if (js_key_is(&key, "primary"))
			ret = cx_window(s, &p->w[0]);
		else if (js_key_is(&key, "secondary"))
			ret = cx_window(s, &p->w[1]);
		else
			ret = js_skip(s);
		if (ret < 0)
			return -1;
	}
	return ret;
}

/*
 * The sample a window makes, checked: a share from 0 and a reset time
 * that is a time. The window is named by its length; without one, the
 * primary is the five-hour window and the secondary the week, as Codex
 * has them.
 */
static int sample_of(const struct cx_window *w, int i, int64_t at,
		struct plan_sample *ps, char *name, size_t size)
{
	int64_t resets;

	memset(ps, 0, sizeof(*ps));
	ps->provider = "openai";
	ps->window = w->has_minutes ? plan_window_of_minutes(w->minutes) :
		plan_windows[i];
	/* Another length (a team plan's month, 43800): named by it. */
	if (!ps->window && w->minutes > 0 && w->minutes <= 366 * 24 * 60) {
		snprintf(name, size, "%lld_minutes", (long long)w->minutes);
		ps->window = name;
	}
	if (!w->present || !ps->window || !w->used.p ||
	    money_parse(w->used.p, w->used.len, &ps->used) ||
	    ps->used < 0 || ps->used > PLAN_USED_MAX)
		return 0;
	if (w->has_resets_at)
		resets = w->resets_at;
	else if (w->has_resets_in && w->resets_in >= 0 &&
		 w->resets_in < PLAN_RESET_MAX_S)
		resets = at / 1000 + w->resets_in;
	else
		return 0;
	if (resets < PLAN_RESET_MIN_S || resets > PLAN_RESET_MAX_S)
		return 0;
	ps->resets_at = resets * 1000;
	return ps->known = 1;
}

void cx_plan_note(struct import_file *f, struct cx_plan_state *st,
		const struct cx_plan *p, int64_t at)
{
	/* Kept by position: the windows keep theirs within a rollout. */
	for (int k = 0; k < 2; k++) {
		struct plan_sample ps;
		char name[32];

		if (!sample_of(&p->w[k], k, at, &ps, name, sizeof(name)))
			continue;
		if (!plan_sample_due(&ps, at, st->has[k], st->at[k],
				st->used[k], st->resets[k]))
			continue;
		import_plan_sample(f, &ps, at, "codex-plan");
		st->has[k] = 1;
		st->at[k] = at;
		st->used[k] = ps.used;
		st->resets[k] = ps.resets_at;
	}
}

void cx_plan_state_save(const struct cx_plan_state *st, struct jsonw *w)
{
	int any = 0;

	for (int k = 0; k < PLAN_WINDOWS; k++)
		any |= st->has[k];
	if (!any)
		return;
	jw_key(w, "plan");
	jw_array_begin(w);
	for (int k = 0; k < PLAN_WINDOWS; k++) {
		jw_array_begin(w);
		if (st->has[k]) {
			jw_int(w, st->at[k]);
			jw_int(w, st->used[k]);
			jw_int(w, st->resets[k]);
		}
		jw_array_end(w);
	}
	jw_array_end(w);
}

/* [[at, used, resets], []]: a window's last sample, or none. */
int cx_plan_state_load(struct jscan *s, struct cx_plan_state *st)
{
	int k = 0;

	if (js_peek(s) != JS_ARRAY)
		return js_skip(s);
	if (js_array_begin(s) < 0)
		return -1;
	while (js_element(s) > 0) {
		int64_t v[3];
		int n = 0;

		if (js_array_begin(s) < 0)
			return -1;
		while (js_element(s) > 0) {
			if (n >= 3 || js_int64(s, &v[n++]) < 0)
				return -1;
		}
		if (k < PLAN_WINDOWS && n == 3) {
			st->has[k] = 1;
			st->at[k] = v[0];
			st->used[k] = v[1];
			st->resets[k] = v[2];
		}
		k++;
	}
	return 0;
}

/*
 * tally top: a live view of usage, refreshed as rows arrive; --once for
 * one frame, --json for a snapshot per refresh.
 */
#include "tally.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curses-load.h"
#include "top-frame.h"
#include "../lib/fsutil.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

static const char *const top_usage[] = {
	"tally top [-d <secs>] [--scope <scope>] [--once] [--json]",
	NULL,
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void catch_stops(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a wait for a key or a tick ends at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static int parse_interval(const char *s, int64_t *ms)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(secs) || secs < 0.1 ||
	    secs > 3600)
		return -1;
	*ms = (int64_t)(secs * 1000 + 0.5);
	return 0;
}

static int parse_scope(const char *s, enum top_scope *out)
{
	if (!strcmp(s, "workspace"))
		*out = TOP_WORKSPACE;
	else if (!strcmp(s, "profile"))
		*out = TOP_PROFILE;
	else if (!strcmp(s, "all"))
		*out = TOP_ALL;
	else
		return -1;
	return 0;
}

/* Sleeps until the next tick or a signal. */
static void wait_ms(int64_t ms)
{
	if (ms > 0)
		poll(NULL, 0, (int)ms);
}

/* --json: a snapshot per refresh until stopped (one with --once). */
static int run_json(struct top_model *m, int64_t interval, int once,
		struct strbuf *err)
{
	struct strbuf out = STRBUF_INIT;
	int ret = 0;

	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		strbuf_reset(&out);
		top_frame_json(&out, m);
		if (write_all(STDOUT_FILENO, out.buf, out.len))
			break;  /* the reader went away: done */
		if (once)
			break;
		wait_ms(interval);
		if (stop_signal)
			break;
		if ((ret = top_model_poll(m, now_ms(), err)) < 0)
			break;
		ret = 0;
	}
	strbuf_release(&out);
	return ret;
}

/* ---- the screen ---- */

struct screen {
	SCREEN *sp;
	WINDOW *w;
	int colour;
	struct strbuf shown;    /* the frame on the screen */
	int rows, cols;         /* its size then */
};

static int screen_open(struct screen *s, struct strbuf *err)
{
	const struct curses_fns *c = &curses_api;
	int ret = curses_load(err);

	if (ret)
		return ret;
	/* ncursesw writes UTF-8 only under a locale that has it. */
	setlocale(LC_CTYPE, "");
	s->sp = c->fn_newterm(NULL, stdout, stdin);
	if (!s->sp)
		return fail(err, T_EFAIL, "top: cannot use this terminal "
				"(TERM=%s)", getenv("TERM") ? getenv("TERM") :
				"unset");
	s->w = *c->var_stdscr;
	c->fn_cbreak();
	c->fn_noecho();
	c->fn_keypad(s->w, TRUE);
	c->fn_curs_set(0);
	s->colour = want_colour(STDOUT_FILENO) && c->fn_has_colors();
	if (s->colour) {
		c->fn_start_color();
		c->fn_use_default_colors();
		c->fn_init_pair(1, COLOR_CYAN, -1);
	}
	return 0;
}

static void screen_close(struct screen *s)
{
	if (!s->sp)
		return;
	curses_api.fn_endwin();
	curses_api.fn_delscreen(s->sp);
	s->sp = NULL;
	strbuf_release(&s->shown);
}

/* The line y of a frame: its start and length, or NULL past its end. */
static const char *line_of(const struct strbuf *frame, int y, size_t *len)
{
	const char *p = frame->buf, *end = frame->buf + frame->len, *nl;

	for (; y > 0 && p < end; y--) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	if (p >= end)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	return p;
}

/*
 * Draws the frame: only the lines that differ from the one on the
 * screen (all of them after a resize), so that an idle refresh costs a
 * comparison and nothing of ncurses.
 */
static void draw(struct screen *s, const struct top_model *m,
		const struct top_view *v)
{
	const struct curses_fns *c = &curses_api;
	struct strbuf text = STRBUF_INIT;
	int rows = c->fn_max_y(s->w), cols = c->fn_max_x(s->w);
	int all = rows != s->rows || cols != s->cols, changed = 0;

	top_frame_text(&text, m, v);
	if (all)
		c->fn_werase(s->w);
	for (int y = 0; y < rows; y++) {
		size_t len = 0, was_len = 0;
		const char *p = line_of(&text, y, &len);
		const char *was = all ? NULL : line_of(&s->shown, y, &was_len);
		int attrs = !y ? (s->colour ? COLOR_PAIR(1) | A_BOLD : A_BOLD) :
			0;

		if (!all && (p ? was && len == was_len &&
			     !memcmp(p, was, len) : !was))
			continue;
		changed = 1;
		c->fn_wmove(s->w, y, 0);
		c->fn_wclrtoeol(s->w);
		if (!p || cols <= 0)
			continue;
		if (attrs)
			c->fn_attr_on(s->w, attrs);
		c->fn_mvwaddnstr(s->w, y, 0, p,
				(int)utf8_fit(p, len, (size_t)cols, NULL));
		if (attrs)
			c->fn_attr_off(s->w, attrs);
	}
	s->rows = rows;
	s->cols = cols;
	{
		struct strbuf old = s->shown;

		s->shown = text;     /* the screen's now; the old one goes */
		text = old;
	}
	if (all || changed)
		c->fn_wrefresh(s->w);
	strbuf_release(&text);
}

/* A key; returns 1 to quit. */
static int key(int ch, struct top_model *m, struct top_view *v, int *dirty,
		struct strbuf *err, int *ret)
{
	switch (ch) {
	case 'q':
	case 'Q':
		return 1;
	case 'p':
		v->paused = !v->paused;
		break;
	case 's':
		*ret = top_model_switch(m, (enum top_scope)((m->scope + 1) % 3),
				now_ms(), err);
		if (*ret)
			return 1;
		break;
	case 'b':
		v->all_budgets = !v->all_budgets;
		break;
	case 'h':
	case '?':
		v->help = !v->help;
		break;
	case KEY_RESIZE:
		break;
	default:
		return 0;
	}
	*dirty = 1;
	return 0;
}

static int run_screen(struct top_model *m, struct top_view *v,
		struct strbuf *err)
{
	struct screen s = { .shown = STRBUF_INIT };
	int ret = screen_open(&s, err), dirty = 1;
	int64_t next = monotonic_ms() + v->interval_ms, drawn_second = -1;

	v->colour = s.colour;
	v->keys_hint = 1;
	while (!ret && !stop_signal) {
		int64_t left;
		int ch;

		if (dirty) {
			draw(&s, m, v);
			drawn_second = m->now / 1000;
		}
		dirty = 0;
		left = next - monotonic_ms();
		curses_api.fn_wtimeout(s.w, left > 0 ? (int)left : 0);
		ch = curses_api.fn_wgetch(s.w);
		if (ch != ERR && key(ch, m, v, &dirty, err, &ret))
			break;
		if (monotonic_ms() < next)
			continue;
		next = monotonic_ms() + v->interval_ms;
		if (v->paused)
			continue;
		ret = top_model_poll(m, now_ms(), err);
		/*
		 * New rows change the frame; so does the clock, a second at
		 * a time (the time shown, the block's time left, the rates
		 * of the last minutes): within the second, nothing to do.
		 */
		if (ret > 0 || m->now / 1000 != drawn_second)
			dirty = 1;
		if (ret > 0)
			ret = 0;
	}
	screen_close(&s);
	return ret;
}

int cmd_top(int argc, const char **argv, struct tally_ctx *ctx)
{
	const char *interval = NULL, *scope_name = NULL;
	int once = 0, json = 0;
	struct option opts[] = {
		OPT_STRING('d', "delay", &interval, "secs",
				"seconds between refreshes (default 1)"),
		OPT_STRING_VALUES(0, "scope", &scope_name, "scope",
				"workspace, profile or all",
				"workspace|profile|all"),
		OPT_BOOL(0, "once", &once, "print one frame and exit"),
		OPT_BOOL(0, "json", &json,
				"print a JSON snapshot per refresh"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct top_view view = { .interval_ms = 1000 };
	enum top_scope scope = ctx->scope.is_workspace ? TOP_WORKSPACE :
		TOP_PROFILE;
	struct top_model m;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, top_usage,
			PARSE_OPT_NO_ARGS);
	if (interval && parse_interval(interval, &view.interval_ms))
		usage_error(top_usage, opts, "-d: '%s' is not a number of "
				"seconds from 0.1 to 3600", interval);
	if (scope_name && parse_scope(scope_name, &scope))
		usage_error(top_usage, opts, "--scope: '%s' is not workspace, "
				"profile or all", scope_name);
	if (!once && !json && (!isatty(STDIN_FILENO) ||
			       !isatty(STDOUT_FILENO)))
		usage_error(top_usage, opts, "top draws on a terminal: use "
				"--once or --json otherwise");
	catch_stops();
	ret = top_model_open(&m, ctx, scope, now_ms(), &err);
	if (!ret && json) {
		ret = run_json(&m, view.interval_ms, once, &err);
	} else if (!ret && once) {
		top_frame_text(&out, &m, &view);
		flush_out(&out);
	} else if (!ret) {
		ret = run_screen(&m, &view, &err);
	}
	top_model_release(&m);
	strbuf_release(&out);
	return report(ret, &err);
}

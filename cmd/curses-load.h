#ifndef TALLY_CMD_CURSES_LOAD_H
#define TALLY_CMD_CURSES_LOAD_H

#include <curses.h>

#include "../lib/strbuf.h"

/*
 * ncurses (the wide-character library, for UTF-8), loaded when tally top
 * first draws, as libcurl and libmicrohttpd are loaded by the commands
 * that use them: linked, it and terminfo would be loaded by every run of
 * every command. The headers are the ones found at build time; the
 * library is libncursesw.so.6, or the file named by $TALLY_LIBNCURSES.
 * Only functions are called through the table, never the macros of
 * curses.h that stand for them (getch, refresh, attron...).
 */
struct curses_fns {
	SCREEN *(*fn_newterm)(const char *type, FILE *out, FILE *in);
	int (*fn_endwin)(void);
	void (*fn_delscreen)(SCREEN *sp);
	int (*fn_cbreak)(void);
	int (*fn_noecho)(void);
	int (*fn_keypad)(WINDOW *w, bool on);
	void (*fn_wtimeout)(WINDOW *w, int ms);
	int (*fn_curs_set)(int visibility);
	int (*fn_wgetch)(WINDOW *w);
	int (*fn_werase)(WINDOW *w);
	int (*fn_wmove)(WINDOW *w, int y, int x);
	int (*fn_wclrtoeol)(WINDOW *w);
	int (*fn_wrefresh)(WINDOW *w);
	int (*fn_mvwaddnstr)(WINDOW *w, int y, int x, const char *s, int n);
	int (*fn_attr_on)(WINDOW *w, int attrs);
	int (*fn_attr_off)(WINDOW *w, int attrs);
	bool (*fn_has_colors)(void);
	int (*fn_start_color)(void);
	int (*fn_use_default_colors)(void);
	int (*fn_init_pair)(short pair, short fg, short bg);
	int (*fn_max_y)(const WINDOW *w);
	int (*fn_max_x)(const WINDOW *w);
	WINDOW **var_stdscr;
};

extern struct curses_fns curses_api;

/* 0, or T_EFAIL with the reason in err. */
int curses_load(struct strbuf *err);

#endif

#include "curses-load.h"

#include "../lib/dynload.h"
#include "../lib/error.h"
#include "../lib/banned.h"

struct curses_fns curses_api;

#define SYM(field, name) DYNSYM(curses_api, field, name)

static const struct dynsym syms[] = {
	SYM(fn_newterm, "newterm"),
	SYM(fn_endwin, "endwin"),
	SYM(fn_delscreen, "delscreen"),
	SYM(fn_cbreak, "cbreak"),
	SYM(fn_noecho, "noecho"),
	SYM(fn_keypad, "keypad"),
	SYM(fn_wtimeout, "wtimeout"),
	SYM(fn_curs_set, "curs_set"),
	SYM(fn_wgetch, "wgetch"),
	SYM(fn_werase, "werase"),
	SYM(fn_wmove, "wmove"),
	SYM(fn_wclrtoeol, "wclrtoeol"),
	SYM(fn_wrefresh, "wrefresh"),
	SYM(fn_mvwaddnstr, "mvwaddnstr"),
	SYM(fn_attr_on, "wattron"),
	SYM(fn_attr_off, "wattroff"),
	SYM(fn_has_colors, "has_colors"),
	SYM(fn_start_color, "start_color"),
	SYM(fn_use_default_colors, "use_default_colors"),
	SYM(fn_init_pair, "init_pair"),
	SYM(fn_max_y, "getmaxy"),
	SYM(fn_max_x, "getmaxx"),
	SYM(var_stdscr, "stdscr"),
};

int curses_load(struct strbuf *err)
{
	static struct dynload dl = {
		.what = "ncurses",
		.env = "TALLY_LIBNCURSES",
		.sonames = { "libncursesw.so.6", NULL },
		.install_hint = "Debian: apt-get install libncursesw6",
		.version_hint = "6.0 or later is needed",
	};
	int ret = dynload(&dl, syms, sizeof(syms) / sizeof(syms[0]), err);

	return ret ? T_EFAIL : 0;
}

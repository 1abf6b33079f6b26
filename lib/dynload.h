#ifndef TALLY_DYNLOAD_H
#define TALLY_DYNLOAD_H

#include <stddef.h>

#include "strbuf.h"

/*
 * A shared library loaded with dlopen, its functions into a table, for
 * the libraries only some commands use (libcurl, libmicrohttpd): linked,
 * they and what they bring would be loaded by every run of every
 * command. Loaded once; a failure is remembered and reported again.
 */

struct dynload {
	const char *what;            /* "libcurl", for messages */
	const char *env;             /* a variable naming another file */
	const char *sonames[3];      /* tried in turn, NULL-ended */
	const char *install_hint;    /* where to get it, or NULL */
	const char *version_hint;    /* "7.74 or later is needed" */
	int state;                   /* 0 not tried, 1 loaded, -1 failed */
	char why[256];
};

/* One function: its name and the function pointer it goes into. */
struct dynsym {
	const char *name;
	void *slot;
	size_t size;
};

#define DYNSYM(table, field, name) \
	{ name, &(table).field, sizeof((table).field) }

/* 0, or T_EPROVIDER with the reason in err. */
int dynload(struct dynload *dl, const struct dynsym *syms, size_t n,
		struct strbuf *err);

#endif

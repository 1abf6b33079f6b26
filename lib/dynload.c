#include "dynload.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

int dynload(struct dynload *dl, const struct dynsym *syms, size_t n,
		struct strbuf *err)
{
	const char *path = dl->env ? getenv(dl->env) : NULL;
	void *lib = NULL;

	if (dl->state > 0)
		return 0;
	if (dl->state < 0)
		return fail(err, T_EPROVIDER, "%s", dl->why);
	dl->state = -1;
	if (path && *path)
		lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	for (int i = 0; !(path && *path) && !lib && dl->sonames[i]; i++)
		lib = dlopen(dl->sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(dl->why, sizeof(dl->why), "cannot load %s%s%s%s: %s",
				dl->what, dl->install_hint ? " (" : "",
				dl->install_hint ? dl->install_hint : "",
				dl->install_hint ? ")" : "", dlerror());
		return fail(err, T_EPROVIDER, "%s", dl->why);
	}
	for (size_t i = 0; i < n; i++) {
		/* A function pointer from dlsym's object pointer, as POSIX
		 * allows. */
		void *sym = dlsym(lib, syms[i].name);

		if (!sym) {
			snprintf(dl->why, sizeof(dl->why), "%s has no %s (%s)",
					dl->what, syms[i].name,
					dl->version_hint);
			return fail(err, T_EPROVIDER, "%s", dl->why);
		}
		memcpy(syms[i].slot, &sym, syms[i].size);
	}
	dl->state = 1;
	return 0;
}

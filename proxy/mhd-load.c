#include "mhd-load.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/error.h"
#include "../lib/banned.h"

struct mhd_fns mhd_api;

/* A function pointer from dlsym's object pointer, as POSIX allows. */
#define LOAD(field, name)                                          \
	do {                                                       \
		void *sym_ = dlsym(lib, name);                     \
		if (!sym_) {                                       \
			missing = name;                            \
			goto fail;                                 \
		}                                                  \
		memcpy(&mhd_api.field, &sym_, sizeof(mhd_api.field));  \
	} while (0)

int mhd_load(struct strbuf *err)
{
	static int state; /* 0 not tried, 1 loaded, -1 failed */
	static char why[256];
	const char *missing = NULL, *path = getenv("TALLY_LIBMICROHTTPD");
	void *lib;

	if (state > 0)
		return 0;
	if (state < 0)
		return fail(err, T_EPROVIDER, "%s", why);
	state = -1;
	lib = dlopen(path && *path ? path : "libmicrohttpd.so.12",
			RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(why, sizeof(why), "cannot load libmicrohttpd (Debian: "
				"apt-get install libmicrohttpd12): %s",
				dlerror());
		return fail(err, T_EPROVIDER, "%s", why);
	}
	LOAD(start_daemon, "MHD_start_daemon");
	LOAD(stop_daemon, "MHD_stop_daemon");
	LOAD(quiesce_daemon, "MHD_quiesce_daemon");
	LOAD(get_daemon_info, "MHD_get_daemon_info");
	LOAD(lookup_connection_value, "MHD_lookup_connection_value");
	LOAD(get_connection_values, "MHD_get_connection_values");
	LOAD(get_connection_info, "MHD_get_connection_info");
	LOAD(create_response_from_buffer, "MHD_create_response_from_buffer");
	LOAD(create_response_from_callback,
			"MHD_create_response_from_callback");
	LOAD(add_response_header, "MHD_add_response_header");
	LOAD(queue_response, "MHD_queue_response");
	LOAD(destroy_response, "MHD_destroy_response");
	state = 1;
	return 0;
fail:
	snprintf(why, sizeof(why), "libmicrohttpd has no %s (0.9.71 or "
			"later is needed)", missing);
	return fail(err, T_EPROVIDER, "%s", why);
}

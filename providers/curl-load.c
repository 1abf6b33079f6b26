#include "curl-load.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/error.h"
#include "../lib/banned.h"

struct curl_fns curl_api;

/* A function pointer from dlsym's object pointer, as POSIX allows. */
#define LOAD(field, name)                                          \
	do {                                                       \
		void *sym_ = dlsym(lib, name);                     \
		if (!sym_) {                                       \
			missing = name;                            \
			goto fail;                                 \
		}                                                  \
		memcpy(&curl_api.field, &sym_, sizeof(curl_api.field));        \
	} while (0)

int curl_load(struct strbuf *err)
{
	static int state; /* 0 not tried, 1 loaded, -1 failed */
	static char why[256];
	const char *missing = NULL, *path = getenv("TALLY_LIBCURL");
	void *lib;

	if (state > 0)
		return 0;
	if (state < 0)
		return fail(err, T_EPROVIDER, "%s", why);
	state = -1;
	if (path && *path) {
		lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	} else {
		lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
		if (!lib)
			lib = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
	}
	if (!lib) {
		snprintf(why, sizeof(why), "cannot load libcurl: %s", dlerror());
		return fail(err, T_EPROVIDER, "%s", why);
	}
	LOAD(global_init, "curl_global_init");
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
	LOAD(multi_init, "curl_multi_init");
	LOAD(multi_add_handle, "curl_multi_add_handle");
	LOAD(multi_remove_handle, "curl_multi_remove_handle");
	LOAD(multi_perform, "curl_multi_perform");
	LOAD(multi_poll, "curl_multi_poll");
	LOAD(multi_info_read, "curl_multi_info_read");
	LOAD(multi_cleanup, "curl_multi_cleanup");
	LOAD(url, "curl_url");
	LOAD(url_cleanup, "curl_url_cleanup");
	LOAD(url_set, "curl_url_set");
	LOAD(url_get, "curl_url_get");
	LOAD(free, "curl_free");
	LOAD(share_init, "curl_share_init");
	LOAD(share_setopt, "curl_share_setopt");
	LOAD(share_cleanup, "curl_share_cleanup");
	state = 1;
	return 0;
fail:
	snprintf(why, sizeof(why), "libcurl has no %s (7.74 or later is "
			"needed)", missing);
	return fail(err, T_EPROVIDER, "%s", why);
}

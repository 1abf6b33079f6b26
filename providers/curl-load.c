#include "curl-load.h"

#include "../lib/dynload.h"
#include "../lib/banned.h"

struct curl_fns curl_api;

#define SYM(field, name) DYNSYM(curl_api, field, name)

static const struct dynsym syms[] = {
	SYM(global_init, "curl_global_init"),
	SYM(easy_init, "curl_easy_init"),
	SYM(easy_setopt, "curl_easy_setopt"),
	SYM(easy_getinfo, "curl_easy_getinfo"),
	SYM(easy_cleanup, "curl_easy_cleanup"),
	SYM(easy_strerror, "curl_easy_strerror"),
	SYM(slist_append, "curl_slist_append"),
	SYM(slist_free_all, "curl_slist_free_all"),
	SYM(multi_init, "curl_multi_init"),
	SYM(multi_add_handle, "curl_multi_add_handle"),
	SYM(multi_remove_handle, "curl_multi_remove_handle"),
	SYM(multi_perform, "curl_multi_perform"),
	SYM(multi_poll, "curl_multi_poll"),
	SYM(multi_info_read, "curl_multi_info_read"),
	SYM(multi_cleanup, "curl_multi_cleanup"),
	SYM(url, "curl_url"),
	SYM(url_cleanup, "curl_url_cleanup"),
	SYM(url_set, "curl_url_set"),
	SYM(url_get, "curl_url_get"),
	SYM(free, "curl_free"),
	SYM(share_init, "curl_share_init"),
	SYM(share_setopt, "curl_share_setopt"),
	SYM(share_cleanup, "curl_share_cleanup"),
};

int curl_load(struct strbuf *err)
{
	static struct dynload dl = {
		.what = "libcurl",
		.env = "TALLY_LIBCURL",
		.sonames = { "libcurl.so.4", "libcurl.so", NULL },
		.version_hint = "7.74 or later is needed",
	};

	return dynload(&dl, syms, sizeof(syms) / sizeof(syms[0]), err);
}

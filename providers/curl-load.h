#ifndef TALLY_CURL_LOAD_H
#define TALLY_CURL_LOAD_H

#include <curl/curl.h>

#include "../lib/strbuf.h"

/*
 * libcurl, loaded when tally first makes a request, not when it starts.
 * Linked, libcurl and the thirty-odd libraries it needs (TLS, HTTP/2,
 * IDN, LDAP, Kerberos...) are loaded and relocated by every run of
 * tally: about 5 ms on a small machine, more than record or status take
 * for all their work, for the few commands that talk HTTP (sync, quota
 * --refresh, pricing update, export --push). The headers are the ones
 * found at build time; the library is libcurl.so.4, the soname libcurl
 * has kept since 7.16, or the file named by $TALLY_LIBCURL.
 *
 * Calling sequence: curl_load() (0, or T_EPROVIDER with the reason),
 * then the functions through curl_api.
 */
struct curl_fns {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *list,
			const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[],
			unsigned int n, int timeout_ms, int *numfds);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
	/* The URL API: how tally reads a URL is how libcurl will. */
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *u);
	CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part,
			unsigned int flags);
	CURLUcode (*url_get)(CURLU *u, CURLUPart what, char **part,
			unsigned int flags);
	void (*free)(void *p);
	/* Connection caches shared between threads (the recording proxy). */
	CURLSH *(*share_init)(void);
	CURLSHcode (*share_setopt)(CURLSH *sh, CURLSHoption option, ...);
	CURLSHcode (*share_cleanup)(CURLSH *sh);
};

extern struct curl_fns curl_api;

int curl_load(struct strbuf *err);

#endif

/*
 * Fuzz target: URLs as tally checks and prints them. Besides not
 * crashing: a URL printed by tally never carries a user name or a
 * password (libcurl, reading the printed form back, finds none), and a
 * URL accepted for plain http names a loopback host.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/error.h"
#include "../providers/curl-load.h"
#include "../providers/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int has_part(CURLU *u, CURLUPart part)
{
	char *v = NULL;
	int has = !curl_api.url_get(u, part, &v, 0) && v && *v;

	if (v)
		curl_api.free(v);
	return has;
}

static void check_printed(const char *printed)
{
	CURLU *u = curl_api.url();

	if (u && !curl_api.url_set(u, CURLUPART_URL, printed, 0) &&
	    (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD)))
		abort();
	if (u)
		curl_api.url_cleanup(u);
}

static void check_accepted(const char *url)
{
	CURLU *u = curl_api.url();
	char *scheme = NULL, *host = NULL;

	if (u && !curl_api.url_set(u, CURLUPART_URL, url, 0) &&
	    !curl_api.url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
	    !strcmp(scheme, "http") &&
	    !curl_api.url_get(u, CURLUPART_HOST, &host, 0) &&
	    strcasecmp(host, "localhost") && strcmp(host, "[::1]") &&
	    strncmp(host, "127.", 4))
		abort();
	if (scheme)
		curl_api.free(scheme);
	if (host)
		curl_api.free(host);
	if (u)
		curl_api.url_cleanup(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf url = STRBUF_INIT, printed = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;

	if (curl_load(&err))
		abort();
	strbuf_add(&url, data, size);
	if (!memchr(data, '\0', size)) {
		if (!http_check_url(url.buf, &err))
			check_accepted(url.buf);
		http_url_redacted(url.buf, &printed);
		check_printed(printed.buf);
	}
	strbuf_release(&url);
	strbuf_release(&printed);
	strbuf_release(&err);
	return 0;
}

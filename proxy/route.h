#ifndef TALLY_ROUTE_H
#define TALLY_ROUTE_H

#include <stddef.h>

#include "../lib/strbuf.h"
#include "../providers/provider.h"

/*
 * The recording proxy's routes: the first segment of a request's path
 * names one ("/openai/chat/completions" goes to the openai route), and
 * the rest of the path, with its query, is appended to the route's
 * upstream base URL, as the provider's SDK would append it.
 */

#define ROUTE_NAME_MAX 32

struct route {
	char name[ROUTE_NAME_MAX];
	char *upstream;                  /* base URL, no trailing slash */
	const struct provider *provider; /* NULL: known from each response */
};

struct routes {
	struct route *v;
	size_t n, alloc;
};

void routes_init(struct routes *r);
void routes_release(struct routes *r);

/*
 * Adds a route, or replaces the one of that name. The upstream must be
 * https, or http to a loopback host (http_check_url). 0 or T_ECONFIG.
 */
int routes_add(struct routes *r, const char *name, const char *upstream,
		const struct provider *p, struct strbuf *err);

/* The route of a path ("/openai/..."), and in *rest what follows it. */
const struct route *routes_match(const struct routes *r, const char *path,
		const char **rest);

#endif

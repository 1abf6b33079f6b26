#ifndef TALLY_PUSH_GROUP_H
#define TALLY_PUSH_GROUP_H

#include "strbuf.h"
#include "string-list.h"

/*
 * The Pushgateway's grouping key as a URL path:
 * "/metrics/job/<job>/<name>/<value>...", each part escaped, and a value
 * that is empty or holds a '/' written as "<name>@base64/<base64url>", as
 * the Pushgateway's README says. labels hold "name=value"; a later one
 * replaces an earlier one of the same name (so --label instance=x
 * replaces the default). Names must be Prometheus label names other than
 * job, and the job must not be empty. Returns 0, or T_EUSAGE with the
 * reason in err.
 */
int push_group_path(struct strbuf *out, const char *job,
		const struct string_list *labels, struct strbuf *err);

#endif

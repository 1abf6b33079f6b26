/*
 * One response body to one entry: the body is parsed once, an error body
 * is refused with the provider's own message, and the adapter that
 * --provider names (or, without one, the one most sure about the body)
 * reads the usage. cmd/ never reads a wire format itself.
 */
#include "response.h"

#include "jsonc.h"
#include "provider.h"
#include "../lib/error.h"
#include "../lib/banned.h"

int provider_read_response(const char *text, size_t len, const char *forced,
		struct entry *e, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	const struct provider *p = forced ? provider_by_id(forced) : NULL;
	struct json_object *root = json_parse_text(text, len, &why);
	int ret = 0;

	if (!root) {
		ret = fail(err, T_EFAIL, "the response is not valid JSON: %s",
				why.buf);
		goto out;
	}
	if (provider_error_body(root, &why)) {
		ret = fail(err, T_EFAIL, "%s", why.buf);
		goto out;
	}
	if (!p || !p->parse_response)
		p = provider_detect(root);
	if (!p) {
		ret = fail(err, T_EFAIL, "cannot tell which provider wrote this "
				"response; name it with --provider");
		goto out;
	}
	if (p->parse_response(root, e, &why)) {
		ret = fail(err, T_EFAIL, "cannot read the %s response: %s",
				p->name, why.buf);
		goto out;
	}
	entry_set_str(e, EF_PROVIDER_ID, p->id);
	entry_set_str(e, EF_SOURCE, "response");
out:
	json_object_put(root);
	strbuf_release(&why);
	return ret;
}

#include "mhd-load.h"

#include "../lib/dynload.h"
#include "../lib/banned.h"

struct mhd_fns mhd_api;

#define SYM(field, name) DYNSYM(mhd_api, field, name)

static const struct dynsym syms[] = {
	SYM(start_daemon, "MHD_start_daemon"),
	SYM(stop_daemon, "MHD_stop_daemon"),
	SYM(quiesce_daemon, "MHD_quiesce_daemon"),
	SYM(get_daemon_info, "MHD_get_daemon_info"),
	SYM(lookup_connection_value, "MHD_lookup_connection_value"),
	SYM(get_connection_values, "MHD_get_connection_values"),
	SYM(get_connection_info, "MHD_get_connection_info"),
	SYM(create_response_from_buffer, "MHD_create_response_from_buffer"),
	SYM(create_response_from_callback,
			"MHD_create_response_from_callback"),
	SYM(add_response_header, "MHD_add_response_header"),
	SYM(queue_response, "MHD_queue_response"),
	SYM(destroy_response, "MHD_destroy_response"),
};

int mhd_load(struct strbuf *err)
{
	static struct dynload dl = {
		.what = "libmicrohttpd",
		.env = "TALLY_LIBMICROHTTPD",
		.sonames = { "libmicrohttpd.so.12", NULL },
		.install_hint = "Debian: apt-get install libmicrohttpd12",
		.version_hint = "0.9.71 or later is needed",
	};

	return dynload(&dl, syms, sizeof(syms) / sizeof(syms[0]), err);
}

# bench/ccusage.sh: sourced by the benchmarks that compare with ccusage.
# Sets ccusage to ccusage 20.0.24 (its native linux-x64 build), installed
# with npm into ${XDG_CACHE_HOME:-~/.cache}/tally-bench/ccusage when
# missing.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/tally-bench/ccusage
ccusage=$cache/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage
if ! test -x "$ccusage"; then
	command -v npm >/dev/null || {
		echo "bench: npm is needed to install ccusage" \
			"(apt-get install npm)" >&2
		exit 1
	}
	mkdir -p "$cache"
	(cd "$cache" && npm install --no-audit --no-fund --silent \
		ccusage@20.0.24 @ccusage/ccusage-linux-x64@20.0.24)
	chmod +x "$ccusage"
fi

#!/bin/sh
test_description='configuration: layers, origins, types'
. ./test-lib.sh

test_expect_success 'defaults are listed with their origin' '
	tally config --list --show-origin >out &&
	test_grep -x "default	fsync=true" out &&
	test_grep -x "default	retention_days=30" out &&
	test_grep -x "default	max_entries=10000" out &&
	test_grep -x "default	persist_scope=workspace" out &&
	test_grep -x "default	alert_threshold_percent=80" out &&
	test_grep -x "default	cost_mode=auto" out &&
	test_grep -x "default	providers.openai.base_url=https://api.openai.com/v1" out
'

test_expect_success 'every DESIGN setting has a default' '
	tally config --list >out &&
	for key in enabled retention_days max_entries monthly_token_budget \
		monthly_cost_budget_usd alert_threshold_percent persist_scope \
		sync_interval_seconds max_sync_window_days \
		fail_on_missing_provider_usage cost_mode timezone fsync \
		providers.openrouter.sync providers.anthropic.sync; do
		test_grep "^$key=" out || return 1
	done
'

test_expect_success 'layers: user, workspace, TALLY_CONFIG, --config, -c' '
	mkdir -p .config/tally ws/.git &&
	printf "retention_days: 1\nmax_entries: 1\nfsync: false\ncost_mode: provider\n" >.config/tally/config.yaml &&
	printf "max_entries: 2\nsync_interval_seconds: 2\n" >ws/.tally.yaml &&
	printf "sync_interval_seconds: 3\nmax_sync_window_days: 3\n" >env.yaml &&
	printf "max_sync_window_days: 4\nalert_threshold_percent: 4\n" >flag.yaml &&
	(cd ws && TALLY_CONFIG=../env.yaml tally --config ../flag.yaml \
		-c alert_threshold_percent=5 config --list --show-origin) >out &&
	cat >expect <<-EOF &&
	file:$HOME/.config/tally/config.yaml:1	retention_days=1
	file:$HOME/ws/.tally.yaml:1	max_entries=2
	command line	alert_threshold_percent=5
	file:$HOME/.config/tally/config.yaml:4	cost_mode=provider
	file:$HOME/.config/tally/config.yaml:3	fsync=false
	file:../env.yaml:1	sync_interval_seconds=3
	file:../flag.yaml:1	max_sync_window_days=4
	EOF
	grep -E "^[^	]+	(retention_days|max_entries|fsync|cost_mode|sync_interval_seconds|max_sync_window_days|alert_threshold_percent)=" out >actual &&
	test_cmp expect actual &&
	rm -r .config
'

test_expect_success 'XDG_CONFIG_HOME moves the user file' '
	mkdir -p xdg/tally &&
	echo "retention_days: 12" >xdg/tally/config.yaml &&
	XDG_CONFIG_HOME=$PWD/xdg tally config get retention_days >out &&
	echo 12 >expect &&
	test_cmp expect out
'

test_expect_success 'config get' '
	tally config get fsync >out &&
	echo true >expect &&
	test_cmp expect out &&
	test_expect_code 1 tally config get hooks.budget_alert &&
	test_expect_code 2 tally config get no.such.key 2>err &&
	test_grep "unknown configuration key .no.such.key." err
'

test_expect_success '--json lists keys, values and origins' '
	tally -c fsync=off config --json >out.json &&
	test "$(json_get out.json "[i[\"value\"] for i in d if i[\"key\"] in (\"fsync\", \"retention_days\", \"monthly_cost_budget_usd\", \"cost_mode\")]")" = \
		"[30, 0, \"auto\", false]" &&
	test "$(json_get out.json "[i for i in d if i[\"key\"]==\"fsync\"][0][\"origin\"]")" = "command line"
'

test_expect_success 'an unknown key warns with file and line' '
	printf "fsync: true\nfrobnicate: 1\n" >c.yaml &&
	tally --config c.yaml config get fsync >out 2>err &&
	test_grep "tally: warning: c.yaml:2:13: unknown configuration key .frobnicate." err
'

test_expect_success 'a mistyped key gets a suggestion, wherever it is written' '
	printf "retension_days: 3\n" >c.yaml &&
	tally --config c.yaml config get fsync >out 2>err &&
	test_grep "unknown configuration key .retension_days. (ignored); did you mean .retention_days.?$" err &&
	test_expect_code 3 tally -c max_entires=5 status 2>err &&
	test_grep "^tally: -c: unknown configuration key .max_entires.; did you mean .max_entries.?$" err &&
	test_expect_code 2 tally config get retention_day 2>err &&
	test_grep "did you mean .retention_days.?" err
'

test_expect_success 'a wrong type fails with file:line:column and exit 3' '
	printf "fsync: true\nretention_days: lots\n" >bad.yaml &&
	test_expect_code 3 tally --config bad.yaml config --list 2>err &&
	test_grep "^tally: bad.yaml:2:17: .retention_days. expects a whole number from 0 to 36500, not .lots." err
'

test_expect_success 'a wrong type in the workspace file stops record too' '
	mkdir -p w2/.git &&
	echo "fsync: sometimes" >w2/.tally.yaml &&
	(cd w2 && test_expect_code 3 tally record -p openai -m m --input-tokens 1) 2>err &&
	test_grep "w2/.tally.yaml:1:8: .fsync. expects true or false" err &&
	! test -e "$TALLY_HOME/workspaces"
'

test_expect_success 'a mapping where a value belongs is a type error' '
	printf "timezone:\n  a: b\n" >m.yaml &&
	test_expect_code 3 tally --config m.yaml config 2>err &&
	test_grep "m.yaml:2:3: .timezone. expects a single value, not a mapping" err
'

test_expect_success 'invalid YAML fails with its position' '
	printf "fsync: true\nmodel: \"open\n" >y.yaml &&
	test_expect_code 3 tally --config y.yaml config 2>err &&
	test_grep "y.yaml:3:1: invalid YAML: found unexpected end of stream" err
'

test_expect_success 'anchors and aliases are refused (no YAML bombs)' '
	printf "a: &x [1,2]\nb: *x\n" >bomb.yaml &&
	test_expect_code 3 tally --config bomb.yaml config 2>err &&
	test_grep "aliases are not supported" err
'

test_expect_success 'a missing --config file or TALLY_CONFIG is an error' '
	test_expect_code 3 tally --config nope.yaml config 2>err &&
	test_grep "cannot read configuration .nope.yaml.: No such file" err &&
	TALLY_CONFIG=$PWD/nope.yaml test_expect_code 3 tally config 2>err &&
	test_grep "nope.yaml" err
'

test_expect_success 'an unknown time zone is a configuration error' '
	test_expect_code 3 tally -c timezone=Mars/Olympus_Mons config 2>err &&
	test_grep "expects an IANA time zone" err
'

test_expect_success '-c with an unknown key or without = fails' '
	test_expect_code 3 tally -c nope=1 config 2>err &&
	test_grep "unknown configuration key .nope." err &&
	test_expect_code 2 tally -c nope config 2>err &&
	test_grep "expects <key>=<value>" err
'

test_expect_success 'a later list replaces an earlier one' '
	printf "budgets:\n  - name: a\n    period: day\n  - name: b\n    period: month\n" >b1.yaml &&
	printf "budgets:\n  - name: c\n    period: week\n" >b2.yaml &&
	TALLY_CONFIG=$PWD/b1.yaml tally --config b2.yaml config >out &&
	test_grep -x "budgets.0.name=c" out &&
	test_grep -v "budgets.1" out
'

test_expect_success 'config path names the user file' '
	test "$(tally config path)" = "$HOME/.config/tally/config.yaml" &&
	test "$(XDG_CONFIG_HOME=$PWD/x tally config path)" = "$PWD/x/tally/config.yaml"
'

XDG_CONFIG_HOME=$PWD/setcfg
export XDG_CONFIG_HOME

test_expect_success 'config set writes the user file, keeping what was there' '
	tally config set retention_days 7 &&
	test "$(stat -c %a setcfg/tally/config.yaml)" = 600 &&
	printf "# mine\nretention_days: 7  # a week\n\nfsync: false\n" >setcfg/tally/config.yaml &&
	tally config set retention_days 90 &&
	tally config set providers.openai.base_url https://proxy.example/v1 &&
	tally config set hooks.budget_alert "notify-send \"tally\" \$TALLY_BUDGET_NAME: #1" &&
	cat >expect <<-\EOF &&
	# mine
	retention_days: 90  # a week

	fsync: false
	providers:
	  openai:
	    base_url: https://proxy.example/v1
	hooks:
	  budget_alert: "notify-send \"tally\" $TALLY_BUDGET_NAME: #1"
	EOF
	test_cmp expect setcfg/tally/config.yaml &&
	test "$(tally config get retention_days)" = 90 &&
	test "$(tally config get hooks.budget_alert)" = "notify-send \"tally\" \$TALLY_BUDGET_NAME: #1" &&
	test "$(tally config get providers.openai.base_url)" = https://proxy.example/v1
'

test_expect_success 'config set refuses what would not read, and changes nothing' '
	cp setcfg/tally/config.yaml before &&
	test_expect_code 3 tally config set retention_days soon 2>err &&
	test_grep "retention_days" err &&
	test_expect_code 2 tally config set retention_dayz 3 2>err &&
	test_grep "did you mean .retention_days." err &&
	test_expect_code 2 tally config set budgets.0.usd 5 2>err &&
	test_grep "edit lists with .tally config edit." err &&
	test_expect_code 2 tally config set retention_days 2>err &&
	test_cmp before setcfg/tally/config.yaml
'

test_expect_success 'config unset removes the line and an emptied mapping' '
	tally config unset providers.openai.base_url &&
	test_grep -v "openai" setcfg/tally/config.yaml &&
	test_grep -v "^providers:" setcfg/tally/config.yaml &&
	test_grep "^# mine$" setcfg/tally/config.yaml &&
	test_expect_code 1 tally config unset providers.openai.base_url 2>err &&
	test_grep "is not set in" err &&
	test "$(tally config get retention_days)" = 90
'

test_expect_success 'config edit runs the editor and checks what it left' '
	cat >ed.sh <<-\EOF &&
	#!/bin/sh
	echo "max_entries: 5" >>"$1"
	EOF
	chmod +x ed.sh &&
	EDITOR=./ed.sh tally config edit &&
	test "$(tally config get max_entries)" = 5 &&
	cat >bad-ed.sh <<-\EOF &&
	#!/bin/sh
	echo "max_entries: lots" >>"$1"
	EOF
	chmod +x bad-ed.sh &&
	VISUAL=./bad-ed.sh EDITOR=./ed.sh test_expect_code 3 tally config edit 2>err &&
	test_grep "is saved, but tally will not read it" err &&
	test_expect_code 3 tally config get max_entries 2>/dev/null &&
	tally config unset max_entries &&
	tally config unset max_entries &&
	test "$(tally config get max_entries)" = 10000 &&
	EDITOR=false test_expect_code 1 tally config edit 2>err &&
	test_grep "the editor .false. failed" err
'

test_done

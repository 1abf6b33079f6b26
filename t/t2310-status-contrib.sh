#!/bin/sh
test_description='the statusline examples of contrib/statusline run as written'
. ./test-lib.sh

C=$TALLY_SOURCE_DIR/contrib/statusline

test_expect_success 'set up: something recorded today' '
	tally record -p openai -m gpt-4.1 --input-tokens 1000 \
		--output-tokens 100 --cost 0.25 -q
'

test_expect_success 'bash: the prompt shows today and the budget state' '
	PS1="\$ " bash --norc -c ". \"$C/prompt.bash\"; __tally_prompt" >out &&
	echo "[\$0.2500 none] " >expect &&
	printf "%s" "$(cat expect)" >expect &&
	test_cmp expect out &&
	PS1="\$ " bash --norc -c ". \"$C/prompt.bash\"; printf %s \"\$PS1\"" >ps1 &&
	test_grep "^\\\$(__tally_prompt)" ps1
'

test_expect_success 'bash: nothing recorded, nothing shown' '
	TALLY_HOME=$PWD/empty bash --norc -c ". \"$C/prompt.bash\"; __tally_prompt" >out &&
	test_must_be_empty out
'

test_expect_success 'zsh: the right prompt after each command' '
	test_need zsh &&
	zsh -f -c "source \"$C/prompt.zsh\"; __tally_precmd; print -r -- \$RPROMPT" >out &&
	test_grep "^\\\$0.2500 . 0%$" out
'

test_expect_success 'tmux: the status bar runs it' '
	test_need tmux &&
	tmux -L tally-test -f /dev/null new-session -d -x 120 -y 10 "sleep 30" &&
	tmux -L tally-test source-file "$C/tmux.conf" &&
	tmux -L tally-test show-options -g status-right >opt &&
	test_grep "tally status --template" opt &&
	python3 -c "import re, sys; print(re.search(r\"#\\((.*)\\) \", open(sys.argv[1]).read()).group(1))" "$C/tmux.conf" >cmd &&
	test_line_count = 1 cmd &&
	sh -c "$(cat cmd)" >line &&
	tmux -L tally-test kill-server &&
	test_grep "tok/min . \\\$0.2500$" line
'

test_expect_success 'starship: the custom module command' '
	python3 - "$C/starship.toml" >cmd <<-\EOF &&
	import sys, tomllib
	print(tomllib.load(open(sys.argv[1], "rb"))["custom"]["tally"]["command"])
	EOF
	sh -c "$(cat cmd)" >out &&
	echo "\$0.2500 none" >expect &&
	test_cmp expect out
'

test_expect_success 'Neovim: the Lua module fills the statusline' '
	test_need nvim &&
	nvim --headless -u NONE -i NONE \
		-c "set rtp+=$C" \
		-c "lua package.path = \"$C/?.lua;\" .. package.path" \
		-c "lua local t = require(\"tally\"); t.refresh(); vim.wait(5000, function() return t.line ~= \"\" end); io.stdout:write(t.status() .. \"\\n\")" \
		-c "qa!" >out 2>err &&
	test_grep "^\\\$0.2500 none" out
'

test_expect_success 'VS Code: every task runs a tally command that exists' '
	python3 - "$C/tasks.json" >cmds <<-\EOF &&
	import json, sys
	for t in json.load(open(sys.argv[1]))["tasks"]:
	    print(t["command"].split(" && ")[0])
	EOF
	test_line_count = 3 cmds &&
	while read -r cmd; do
		set -- $cmd &&
		test "$1" = tally || return 1
		shift
		while test "${1#-}" != "$1"; do shift; done
		tally --list-cmds | grep -qx "$1" || { echo "no command $1" >&2; return 1; }
	done <cmds &&
	tally --no-pager summary >out &&
	test_grep "^Usage" out
'

test_done

# bash completion for tally
#
# Commands come from `tally --list-cmds` and each command's options from
# `tally <command> --completion-helper`, which prints the option table the
# command parses with; nothing here needs updating when options change.

__tally_cmds=
declare -A __tally_opts 2>/dev/null || true

__tally_list_cmds() {
	[ -n "$__tally_cmds" ] ||
		__tally_cmds=$(command tally --list-cmds 2>/dev/null | tr '\n' ' ')
	printf '%s' "$__tally_cmds"
}

# Options of a command; the global options when cmd is empty.
__tally_list_opts() {
	local cmd=$1 key=${1:-.}
	if [ -z "${__tally_opts[$key]+set}" ]; then
		__tally_opts[$key]=$(command tally ${cmd:+"$cmd"} \
			--completion-helper 2>/dev/null | tr '\n' ' ')
	fi
	printf '%s' "${__tally_opts[$key]}"
}

_tally() {
	local cur=${COMP_WORDS[COMP_CWORD]} cmd= i

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-C|-c|--config|--workspace) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(__tally_list_opts '') --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(__tally_list_cmds)" -- "$cur"))
		fi
	elif [ "$cmd" = help ]; then
		COMPREPLY=($(compgen -W "$(__tally_list_cmds) ledger" -- "$cur"))
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(__tally_list_opts "$cmd") --help" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
	# An option that takes a value ends in '=': let the value follow.
	if [ "${#COMPREPLY[@]}" = 1 ] && [[ ${COMPREPLY[0]} == *= ]]; then
		compopt -o nospace 2>/dev/null
	fi
}

complete -F _tally tally

# tally in a bash prompt: source this from ~/.bashrc.
#   source /path/to/tally/contrib/statusline/prompt.bash
# The line comes from the summary cache (tally status never waits for a
# busy one) and is empty when nothing was recorded, so the prompt stays
# clean where tally has nothing to say.
__tally_prompt() {
	local line
	line=$(tally status --template '{today_cost} {budget_state}' 2>/dev/null)
	[ -z "$line" ] || printf '[%s] ' "$line"
}
PS1='$(__tally_prompt)'"${PS1:-\\$ }"

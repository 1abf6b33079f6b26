# tally on the right of a zsh prompt: source this from ~/.zshrc.
#   source /path/to/tally/contrib/statusline/prompt.zsh
autoload -Uz add-zsh-hook
__tally_precmd() {
	RPROMPT=$(tally status --template '{today_cost} · {budget_percent}%' 2>/dev/null)
}
add-zsh-hook precmd __tally_precmd

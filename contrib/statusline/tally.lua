-- tally in a Neovim statusline. Put it on your runtimepath (for example
-- ~/.config/nvim/lua/tally.lua) and add to init.lua:
--   vim.o.statusline = "%f %m%=%{v:lua.require'tally'.status()} %l:%c"
-- The line is refreshed at most every 15 seconds, in the background, so
-- the statusline never waits for tally.
local M = { line = "", at = 0 }
local interval = 15

function M.refresh()
  M.at = os.time()
  vim.fn.jobstart({ "tally", "status", "--template", "{today_cost} {budget_state}" }, {
    stdout_buffered = true,
    on_stdout = function(_, data)
      M.line = (data and data[1]) or ""
    end,
  })
end

function M.status()
  if os.time() - M.at >= interval then
    M.refresh()
  end
  return M.line
end

return M

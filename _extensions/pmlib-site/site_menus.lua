-- What the site's filters share (loaded with require, not a filter itself): HTML escaping, and
-- the quarters' menus that `pm pages` writes, with each page's site path, into pages/menus.json
-- (pmlib.rendering.documents.quarter_menus).
local M = {}

function M.escape(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

-- The menus, or nil before `pm pages` has written them.
function M.read()
  local file = io.open(pandoc.path.join({ quarto.project.directory, "pages", "menus.json" }), "r")
  if file == nil then
    return nil
  end
  local text = file:read("a")
  file:close()
  return quarto.json.decode(text)
end

return M

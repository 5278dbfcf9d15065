-- The menu of a quarter's reports, as the built-in renderer shows it: a quarter's pages show
-- its own menu, every other page the latest quarter's. `pm pages` writes the menus, with each
-- page's site path, into pages/menus.json (pmlib.rendering.documents.quarter_menus); this
-- filter puts the page's menu first on the page, with links relative to the page.
local site_menus = require("site_menus")
local escape = site_menus.escape
local read_menus = site_menus.read

function Pandoc(doc)
  if not quarto.doc.is_format("html") or quarto.project.directory == nil then
    return doc
  end
  local menus = read_menus()
  if menus == nil then
    return doc
  end
  local source = pandoc.path.make_relative(quarto.doc.input_file, quarto.project.directory)
  local page = pandoc.path.split_extension(source) .. ".html"
  local menu = menus.quarters[page:match("^reports/([^/]+)/") or menus.latest]
  if menu == nil then
    return doc
  end
  local here = pandoc.path.directory(page)
  local items = {}
  for _, link in ipairs(menu.links) do
    local href = pandoc.path.make_relative(link.page, here, true)
    local current = link.page == page and ' aria-current="page"' or ""
    table.insert(items, '<li><a href="' .. escape(href) .. '"' .. current .. ">" .. escape(link.text) .. "</a></li>")
  end
  local nav = '<nav class="pm-quarter-nav" id="quarter-nav" aria-labelledby="quarter-nav-title">\n'
    .. '<p class="pm-quarter-nav-title" id="quarter-nav-title">' .. escape(menu.title) .. "</p>\n"
    .. "<ul>\n" .. table.concat(items, "\n") .. "\n</ul>\n</nav>"
  table.insert(doc.blocks, 1, pandoc.RawBlock("html", nav))
  return doc
end

-- The links between a shared service's sites (its landing page, each council's site, the joint
-- committee's), as the built-in renderer shows them above the header (pmlib.rendering.site.family_nav).
-- `pm build --councils` hands them to Quarto as PMLIB_FAMILY: a JSON list of [name, path from the
-- site's root]; a council publishing alone has none, and its pages are unchanged.
local escape = require("site_menus").escape

function Pandoc(doc)
  local given = os.getenv("PMLIB_FAMILY")
  if not quarto.doc.is_format("html") or quarto.project.directory == nil or given == nil or given == "" then
    return doc
  end
  local source = pandoc.path.make_relative(quarto.doc.input_file, quarto.project.directory)
  local here = pandoc.path.directory(pandoc.path.split_extension(source) .. ".html")
  local items = {}
  for _, link in ipairs(quarto.json.decode(given)) do
    local name, path = link[1], link[2]
    -- A page at the site's root takes the path as it is: make_relative would go up one folder too many.
    local href = (here == "." or here == "") and path or pandoc.path.make_relative(path, here, true)
    local current = pandoc.path.normalize(path) == "index.html" and ' aria-current="true"' or ""
    table.insert(items, '<li><a href="' .. escape(href) .. '"' .. current .. ">" .. escape(name) .. "</a></li>")
  end
  local nav = '<nav class="pm-family" aria-label="Shared services">\n<div class="pm-width">\n<ul>\n'
    .. table.concat(items, "\n") .. "\n</ul>\n</div>\n</nav>"
  quarto.doc.include_text("before-body", nav)
  return doc
end

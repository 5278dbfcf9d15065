-- Every web page gets what the built-in renderer's pages have for the notebooks' outputs:
-- the site's own Vega bundle and pmlib's charts.js, which redraw each chart's static SVG
-- interactively from its spec, and outputs.css, which lays out charts and tables (each table
-- in a region that scrolls sideways). `pm pages` writes them into pages/assets/; Quarto copies
-- them into site_libs/ and links them from each page by a relative path, so nothing is
-- fetched from elsewhere.
local PAGE_SCRIPTS = {
  { marker = 'class="pm-dashboard"', name = "pmlib-dashboard", script = "dashboard.js" },
  { marker = 'class="pm-search"', name = "pmlib-search", script = "search.js" },
}

function Pandoc(doc)
  if quarto.doc.is_format("html") then
    local assets = pandoc.path.join({ quarto.project.directory, "pages", "assets" })
    quarto.doc.add_html_dependency({
      name = "pmlib-outputs",
      version = "1.0.0",
      stylesheets = { pandoc.path.join({ assets, "outputs.css" }) },
      scripts = {
        { path = pandoc.path.join({ assets, "vega.js" }), afterBody = true },
        { path = pandoc.path.join({ assets, "charts.js" }), afterBody = true },
      },
    })
    -- A page's own script, only on the page that has its marker (as site.py's PAGE_SCRIPTS):
    -- the measures dashboard's filters and sorting, and site search (which loads Pagefind itself).
    local found = {}
    doc:walk({
      RawBlock = function(raw)
        if raw.format == "html" then
          for _, wanted in ipairs(PAGE_SCRIPTS) do
            found[wanted.name] = found[wanted.name] or raw.text:find(wanted.marker, 1, true) ~= nil
          end
        end
      end,
    })
    for _, wanted in ipairs(PAGE_SCRIPTS) do
      if found[wanted.name] then
        quarto.doc.add_html_dependency({
          name = wanted.name,
          version = "1.0.0",
          scripts = { { path = pandoc.path.join({ assets, wanted.script }), afterBody = true } },
        })
      end
    end
  end
  return doc
end

-- Every web page gets what the built-in renderer's pages have for the notebooks' outputs:
-- the site's own Vega bundle and pmlib's charts.js, which redraw each chart's static SVG
-- interactively from its spec, and outputs.css, which lays out charts and tables (each table
-- in a region that scrolls sideways). `pm pages` writes them into pages/assets/; Quarto copies
-- them into site_libs/ and links them from each page by a relative path, so nothing is
-- fetched from elsewhere.
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
    -- The measures dashboard's filters and sorting, only on the page that has it (as site.py's PAGE_SCRIPTS).
    local dashboard = false
    doc:walk({
      RawBlock = function(raw)
        dashboard = dashboard or (raw.format == "html" and raw.text:find('class="pm-dashboard"', 1, true) ~= nil)
      end,
    })
    if dashboard then
      quarto.doc.add_html_dependency({
        name = "pmlib-dashboard",
        version = "1.0.0",
        scripts = { { path = pandoc.path.join({ assets, "dashboard.js" }), afterBody = true } },
      })
    end
    -- Site search, only on the search page (as site.py's PAGE_SCRIPTS); it loads the Pagefind bundle itself.
    local search = false
    doc:walk({
      RawBlock = function(raw)
        search = search or (raw.format == "html" and raw.text:find('class="pm-search"', 1, true) ~= nil)
      end,
    })
    if search then
      quarto.doc.add_html_dependency({
        name = "pmlib-search",
        version = "1.0.0",
        scripts = { { path = pandoc.path.join({ assets, "search.js" }), afterBody = true } },
      })
    end
  end
  return doc
end

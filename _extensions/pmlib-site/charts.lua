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
  end
  return doc
end

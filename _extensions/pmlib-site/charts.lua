-- Every web page gets the site's own Vega bundle and pmlib's charts.js, which redraw each
-- chart's static SVG interactively from its spec, as the built-in renderer's pages do.
-- `pm pages` writes both into pages/assets/; Quarto copies them into site_libs/ and links
-- them from each page by a relative path, so nothing is fetched from elsewhere.
function Pandoc(doc)
  if quarto.doc.is_format("html") then
    local assets = pandoc.path.join({ quarto.project.directory, "pages", "assets" })
    quarto.doc.add_html_dependency({
      name = "pmlib-charts",
      version = "1.0.0",
      scripts = {
        { path = pandoc.path.join({ assets, "vega.js" }), afterBody = true },
        { path = pandoc.path.join({ assets, "charts.js" }), afterBody = true },
      },
    })
  end
  return doc
end

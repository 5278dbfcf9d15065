-- The Atom feeds in each page's head, as the built-in renderer names them
-- (pmlib.rendering.feeds.page_feeds): every page names the feed of every report, and a
-- delivery plan's page (reports/<slug>/plan-<id>.html) also names that plan's feed, titled
-- with the plan's name from its quarter's menu (pages/menus.json). `pm quarto-post-render`
-- writes the feeds into feeds/ after Quarto has made the pages; each link is relative to the
-- page, so the site works from any folder.
local REPORTS_FEED = "feeds/reports.xml"
local REPORTS_TITLE = "Every quarterly report (Atom feed)"

local site_menus = require("site_menus")
local escape = site_menus.escape
local read_menus = site_menus.read

-- The page's name in its quarter's menu: the plan's name on a plan's page.
local function menu_label(menus, slug, page)
  local menu = menus and menus.quarters[slug]
  for _, link in ipairs(menu and menu.links or {}) do
    if link.page == page then
      return link.text
    end
  end
  return nil
end

local function head_link(title, feed, here)
  local href = pandoc.path.make_relative(feed, here, true)
  return '<link rel="alternate" type="application/atom+xml" title="' .. escape(title) .. '" href="' .. escape(href) .. '">'
end

function Pandoc(doc)
  if not quarto.doc.is_format("html") or quarto.project.directory == nil then
    return doc
  end
  local menus = read_menus()
  if menus == nil then -- a site with no quarters' reports (a shared service's joint committee's) has no feeds
    return doc
  end
  local source = pandoc.path.make_relative(quarto.doc.input_file, quarto.project.directory)
  local page = pandoc.path.split_extension(source) .. ".html"
  local here = pandoc.path.directory(page)
  local links = { head_link(REPORTS_TITLE, REPORTS_FEED, here) }
  local slug, plan = page:match("^reports/([^/]+)/plan%-(.+)%.html$")
  if plan ~= nil then
    local name = menu_label(menus, slug, page) or plan
    table.insert(links, head_link(name .. " delivery plan (Atom feed)", "feeds/plan-" .. plan .. ".xml", here))
  end
  quarto.doc.include_text("in-header", table.concat(links, "\n"))
  return doc
end

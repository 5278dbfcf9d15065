-- A notebook's title is the first level-one heading its outputs write, as the built-in renderer
-- takes it: it becomes the page's title (its title block and <title>) and leaves the body, so the
-- page has one <h1>. Quarto would otherwise take the first heading of the first Markdown cell,
-- a level-two one. A page whose front matter has a title keeps it.
function Pandoc(doc)
  if not quarto.doc.is_format("html") or not quarto.doc.input_file:match("%.ipynb$") then
    return doc
  end
  local title = nil
  doc.blocks = doc.blocks:walk({
    Header = function(header)
      if title == nil and header.level == 1 then
        title = header.content
        return {}
      end
    end,
  })
  if title ~= nil then
    doc.meta.title = pandoc.MetaInlines(title)
    doc.meta.pagetitle = pandoc.utils.stringify(title)
  end
  return doc
end

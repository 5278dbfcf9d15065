-- The pack's last filter, after Quarto's own: the notebooks' outputs set as the built-in
-- renderer sets them.
--
-- Quarto wraps each embedded cell's output in a Div, which its Typst writer sets as
-- #block[...]; a level-1 heading inside a block cannot start a new page, so the pack
-- takes the cells' contents without the wrapper.
--
-- Quarto turns a web table's CSS font list into a Typst font list, keeping the generic
-- "sans-serif", which Typst does not know; the pack's tables are set in the template's
-- typeface instead.
--
-- Quarto reads a table's <caption> but marks the table "typst:no-figure", so the caption
-- would be lost; a captioned table is a figure, titled "Table N: ..." in the contents and
-- above the table, as in the built-in pack.
local function plain_font(el)
  el.attributes["typst:text:font"] = nil
  return el
end

function Div(el)
  for _, class in ipairs(el.classes) do
    if class:match("^cell") or class:match("^quarto%-embed") then
      return el.content
    end
  end
  return plain_font(el)
end

function Table(el)
  if #el.caption.long > 0 then
    el.classes = el.classes:filter(function(class)
      return class ~= "typst:no-figure"
    end)
  end
  return plain_font(el)
end

-- Each measure's section gets the label the built-in pack gives it (pmlib/rendering/pack_links.py):
-- the plan notebook's "### <name>" heading, found by its text in pack order, each measure once,
-- from the list the pack document's metadata carries. Typst keeps a labelled heading as a PDF
-- named destination, which the measure's web page links to (packs/<slug>.pdf#nameddest=measure-<id>).
function Pandoc(doc)
  local wanted = doc.meta["pmlib-measure-destinations"]
  if wanted == nil then
    return doc
  end
  local waiting = {}
  for _, entry in ipairs(wanted) do
    table.insert(waiting, { text = pandoc.utils.stringify(entry.heading), label = pandoc.utils.stringify(entry.label) })
  end
  doc.blocks = doc.blocks:walk({
    Header = function(el)
      if el.level ~= 3 then
        return nil
      end
      local text = pandoc.utils.stringify(el.content)
      for i, entry in ipairs(waiting) do
        if entry.text == text then
          table.remove(waiting, i)
          el.identifier = entry.label
          return el
        end
      end
      return nil
    end,
  })
  return doc
end

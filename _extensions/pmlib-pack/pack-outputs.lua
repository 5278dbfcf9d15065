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

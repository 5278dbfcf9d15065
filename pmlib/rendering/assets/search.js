/* Site search for pmlib's website, on the search page only.
 *
 * The page holds a hidden search form and a note that search cannot run
 * here, with links to the list of measures. When the page is served over
 * HTTP(S), this script shows the form, hides the note and loads Pagefind's
 * searcher (pagefind/pagefind.js at the site's root, named relative to the
 * page in data-pm-search-bundle), which fetches only the parts of the index
 * each search needs. Opened from file://, where a browser will not load
 * the searcher, or if it fails to load, the note stays (or comes back).
 *
 * Results are a list of links (page title, what kind of page, an excerpt
 * with the words found marked), ten at a time with a button for more; the
 * count is announced in a polite live region. Typing searches after a short
 * pause; Enter searches at once. The search is kept in the address (?q=),
 * so it can be linked to and survives a reload. Excerpts are built as text
 * and <mark> elements, never as HTML, since they quote council text.
 */
(function () {
  "use strict";

  const PAGE_SIZE = 10;
  const PAUSE_MS = 300;
  const KINDS = [
    [/\/pages\/measures\/[^/]+\.html$/, "Measure"],
    [/\/reports\/[^/]+\/plan-[^/]+\.html$/, "Delivery plan report"],
    [/\/reports\/[^/]+\/[^/]+\.html$/, "Quarterly report"],
    [/\/pages\/goals\/[^/]+\.html$/, "Sustainable Development Goal"],
  ];

  function kindOf(url) {
    const path = new URL(url, document.baseURI).pathname;
    const found = KINDS.find(([pattern]) => pattern.test(path));
    return found ? found[1] : "Page";
  }

  function unescapeAngles(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
  }

  // Pagefind's excerpt is text with < and > escaped and the words found in <mark>.
  function excerptNodes(excerpt) {
    const nodes = [];
    excerpt.split(/(<mark>[\s\S]*?<\/mark>)/).forEach((part) => {
      const marked = part.match(/^<mark>([\s\S]*)<\/mark>$/);
      if (marked) {
        const mark = document.createElement("mark");
        mark.textContent = unescapeAngles(marked[1]);
        nodes.push(mark);
      } else if (part) {
        nodes.push(document.createTextNode(unescapeAngles(part)));
      }
    });
    return nodes;
  }

  function resultItem(data) {
    const item = document.createElement("li");
    item.className = "pm-search-result";
    const title = document.createElement("a");
    title.className = "pm-search-result-title";
    title.href = data.url;
    title.textContent = (data.meta && data.meta.title) || data.url;
    const kind = document.createElement("p");
    kind.className = "pm-search-result-kind";
    kind.textContent = kindOf(data.url);
    const excerpt = document.createElement("p");
    excerpt.className = "pm-search-result-excerpt";
    excerpt.append(...excerptNodes(data.excerpt || ""));
    item.append(title, kind, excerpt);
    return item;
  }

  function quoted(term) {
    return "\u201c" + term + "\u201d";
  }

  function start() {
    const root = document.querySelector(".pm-search");
    const note = document.getElementById("pm-search-unavailable");
    if (!root || !note) {
      return;
    }
    if (location.protocol !== "http:" && location.protocol !== "https:") {
      return; // the note says why, and links to the measures
    }
    const form = root.querySelector("form.pm-search-form");
    const input = form.querySelector("input[type=search]");
    const status = root.querySelector(".pm-search-status");
    const list = root.querySelector(".pm-search-results");
    const more = root.querySelector(".pm-search-more");
    const moreButton = more.querySelector("button");
    let found = [];
    let shown = 0;
    let term = "";
    let searchId = 0;
    let timer = null;

    function unavailable() {
      form.hidden = true;
      list.hidden = true;
      more.hidden = true;
      status.textContent = "";
      note.hidden = false;
    }

    form.hidden = false;
    note.hidden = true;
    const bundle = new URL(root.getAttribute("data-pm-search-bundle"), document.baseURI).href;
    const ready = import(bundle)
      .then(async (pagefind) => {
        await pagefind.options({ excerptLength: 24 });
        await pagefind.init();
        return pagefind;
      })
      .catch(() => {
        unavailable();
        return null;
      });

    function keepInAddress(text) {
      const url = new URL(location.href);
      if (text) {
        url.searchParams.set("q", text);
      } else {
        url.searchParams.delete("q");
      }
      history.replaceState(history.state, "", url.href);
    }

    function announce() {
      const total = found.length;
      if (total === 0) {
        status.textContent = "No results for " + quoted(term) + ". Try other words, or fewer.";
        return;
      }
      const count = total === 1 ? "1 result" : total + " results";
      const part = shown < total ? ", showing the first " + shown : "";
      status.textContent = count + " for " + quoted(term) + part + ".";
    }

    async function showMore(id) {
      const next = found.slice(shown, shown + PAGE_SIZE);
      const data = await Promise.all(next.map((result) => result.data()));
      if (id !== searchId) {
        return null;
      }
      const items = data.map(resultItem);
      list.append(...items);
      shown += items.length;
      list.hidden = shown === 0;
      more.hidden = shown >= found.length;
      announce();
      return items[0] || null;
    }

    async function search(text) {
      const id = ++searchId;
      term = text.trim();
      keepInAddress(term);
      if (!term) {
        found = [];
        shown = 0;
        list.replaceChildren();
        list.hidden = true;
        more.hidden = true;
        status.textContent = "";
        return;
      }
      const pagefind = await ready;
      if (!pagefind || id !== searchId) {
        return;
      }
      const response = await pagefind.search(term);
      if (id !== searchId) {
        return;
      }
      found = response ? response.results : [];
      shown = 0;
      list.replaceChildren();
      await showMore(id);
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => search(input.value), PAUSE_MS);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      search(input.value);
    });
    moreButton.addEventListener("click", async () => {
      if (moreButton.disabled) {
        return;
      }
      moreButton.disabled = true;
      const first = await showMore(searchId);
      moreButton.disabled = false;
      if (first) {
        first.querySelector("a").focus();
      }
    });

    const asked = new URL(location.href).searchParams.get("q");
    if (asked) {
      input.value = asked;
      search(asked);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

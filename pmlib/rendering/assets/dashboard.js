/* The measures dashboard's filters and sorting, for pmlib's website.
 *
 * Without this script the page shows the whole table and no controls. With
 * it, the filter form (in the page, hidden) is shown: each <select> keeps
 * only the rows whose data-* attribute matches its value, hiding the rest
 * with the `hidden` attribute, and the count below the form, a polite live
 * region, says how many are shown. Column headings marked data-pm-sort
 * become buttons that sort the rows (a cell's data-sort, else its text;
 * blanks last; ties in the page's order), with aria-sort on the heading.
 * The filters are kept in the address (?status=intervention), so a link
 * opens the filtered view. Nothing is fetched.
 */
(function () {
  "use strict";

  const collator = new Intl.Collator("en-GB", { numeric: true, sensitivity: "base" });

  function start() {
    const controls = document.querySelector(".pm-dashboard");
    const table = document.querySelector("table.pm-dashboard-table");
    if (!controls || !table || !table.tBodies.length) {
      return;
    }
    const form = controls.querySelector("form.pm-dashboard-filters");
    const count = controls.querySelector(".pm-dashboard-count");
    const selects = Array.from(form.querySelectorAll("select[data-pm-filter]"));
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    let sorted = "";

    function say() {
      const shown = rows.filter((row) => !row.hidden).length;
      const text = `Showing ${shown} of ${rows.length} measures${sorted}.`;
      if (count.textContent !== text) {
        count.textContent = text;
      }
    }

    function remember(wanted) {
      const query = new URLSearchParams(window.location.search);
      selects.forEach((s) => query.delete(s.dataset.pmFilter));
      wanted.forEach(([key, value]) => query.append(key, value));
      const search = query.toString();
      try {
        window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
      } catch (error) {
        // A page opened from the file system may not change its address; the filters still work.
      }
    }

    function filter() {
      const wanted = selects.filter((s) => s.value).map((s) => [s.dataset.pmFilter, s.value]);
      rows.forEach((row) => {
        row.hidden = !wanted.every(([key, value]) => row.dataset[key] === value);
      });
      remember(wanted);
      say();
    }

    function sortBy(th, button) {
      const index = th.cellIndex;
      const order = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      const sign = order === "ascending" ? 1 : -1;
      const key = (row) => {
        const cell = row.cells[index];
        return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
      };
      const keyed = rows.map((row, position) => ({ row, position, key: key(row) }));
      keyed.sort((a, b) => {
        if (!a.key || !b.key) {
          return (a.key ? 0 : 1) - (b.key ? 0 : 1) || a.position - b.position;
        }
        return sign * collator.compare(a.key, b.key) || a.position - b.position;
      });
      table.querySelectorAll("th[aria-sort]").forEach((other) => other.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", order);
      keyed.forEach((item) => body.appendChild(item.row));
      sorted = `, sorted by ${button.firstChild.textContent}, ${order}`;
      say();
    }

    table.querySelectorAll("thead th[data-pm-sort]").forEach((th) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "pm-sort";
      button.appendChild(document.createTextNode(th.textContent.trim()));
      const icon = document.createElement("span");
      icon.className = "pm-sort-icon";
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", () => sortBy(th, button));
    });

    const query = new URLSearchParams(window.location.search);
    selects.forEach((s) => {
      const value = query.get(s.dataset.pmFilter);
      if (value && Array.from(s.options).some((o) => o.value === value)) {
        s.value = value;
      }
      s.addEventListener("change", filter);
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    controls.querySelector(".pm-dashboard-clear").addEventListener("click", () => {
      selects.forEach((s) => {
        s.value = "";
      });
      filter();
    });
    form.hidden = false;
    controls.setAttribute("data-pm-dashboard", "ready");
    filter();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

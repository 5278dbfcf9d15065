/* Interactive charts for pmlib's website.
 *
 * Every chart is published as a figure holding a static SVG (which works with
 * no script at all), a text description, and its Vega-Lite spec as inert JSON.
 * When vega.js (the Vega, Vega-Lite and Vega-Embed bundle written beside this
 * file) has loaded, each figure is redrawn from its spec with tooltips; if
 * anything fails, the static SVG stays. Nothing is fetched from elsewhere.
 *
 * Screen readers meet the redrawn chart as one image named by the figure's
 * description, as they meet the static SVG: Vega's own per-mark roles would
 * otherwise expose unnamed, empty graphics (WCAG 1.1.1) and read every bar
 * twice. Each figure ends with data-pm-chart set to "interactive" or
 * "static", so tests (and people) can tell which view is showing.
 */
(function () {
  "use strict";

  function settle(figure, state) {
    figure.setAttribute("data-pm-chart", state);
  }

  function chartName(figure, staticView) {
    var staticSvg = staticView.querySelector("svg[aria-label]");
    if (staticSvg) {
      return staticSvg.getAttribute("aria-label");
    }
    var caption = figure.querySelector("figcaption");
    return caption ? caption.textContent.trim() : "";
  }

  function nameAsOneImage(target, name) {
    var svg = target.querySelector("svg");
    if (!svg) {
      return false;
    }
    // Vega-Embed names the container too; one name, on the image, is enough.
    target.removeAttribute("role");
    target.removeAttribute("aria-roledescription");
    target.removeAttribute("aria-label");
    svg.setAttribute("role", "img");
    if (name) {
      svg.setAttribute("aria-label", name);
    }
    // Vega keeps the svg's children but may rewrite their attributes when it
    // redraws, so hide them at the top rather than strip each mark's role.
    for (var i = 0; i < svg.children.length; i += 1) {
      svg.children[i].setAttribute("aria-hidden", "true");
    }
    return true;
  }

  function enhance(figure) {
    var specNode = figure.querySelector("script.pm-chart-spec");
    var staticView = figure.querySelector(".pm-chart-view");
    if (!specNode || !staticView || typeof window.vegaEmbed !== "function") {
      settle(figure, "static");
      return;
    }
    var spec;
    try {
      spec = JSON.parse(specNode.textContent);
    } catch (error) {
      settle(figure, "static");
      return;
    }
    var target = document.createElement("div");
    target.className = "pm-chart-interactive";
    target.hidden = true;
    staticView.parentNode.insertBefore(target, staticView.nextSibling);
    window
      .vegaEmbed(target, spec, { actions: false, renderer: "svg", mode: "vega-lite" })
      .then(function () {
        if (!nameAsOneImage(target, chartName(figure, staticView))) {
          throw new Error("Vega drew no SVG");
        }
        target.hidden = false;
        staticView.hidden = true;
        figure.classList.add("pm-chart-enhanced");
        settle(figure, "interactive");
      })
      .catch(function () {
        if (target.parentNode) {
          target.parentNode.removeChild(target);
        }
        staticView.hidden = false;
        settle(figure, "static");
      });
  }

  function start() {
    var figures = document.querySelectorAll("figure.pm-chart");
    for (var i = 0; i < figures.length; i += 1) {
      enhance(figures[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

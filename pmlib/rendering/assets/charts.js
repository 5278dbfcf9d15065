/* Interactive charts for pmlib's website.
 *
 * Every chart is published as a figure holding a static SVG (which works with
 * no script at all), a text description, and its Vega-Lite spec as inert JSON.
 * When vega.js (the Vega, Vega-Lite and Vega-Embed bundle written beside this
 * file) has loaded, each figure is redrawn from its spec with tooltips; if
 * anything fails, the static SVG stays. Nothing is fetched from elsewhere.
 */
(function () {
  "use strict";

  function enhance(figure) {
    var specNode = figure.querySelector("script.pm-chart-spec");
    var staticView = figure.querySelector(".pm-chart-view");
    if (!specNode || !staticView || typeof window.vegaEmbed !== "function") {
      return;
    }
    var spec;
    try {
      spec = JSON.parse(specNode.textContent);
    } catch (error) {
      return;
    }
    var target = document.createElement("div");
    target.className = "pm-chart-interactive";
    target.hidden = true;
    staticView.parentNode.insertBefore(target, staticView.nextSibling);
    window
      .vegaEmbed(target, spec, { actions: false, renderer: "svg", mode: "vega-lite" })
      .then(function () {
        target.hidden = false;
        staticView.hidden = true;
        figure.classList.add("pm-chart-enhanced");
      })
      .catch(function () {
        target.parentNode.removeChild(target);
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

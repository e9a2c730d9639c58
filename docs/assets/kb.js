/* Client-side behaviour for generated pages: sortable and filterable tables, and the
   compare-jurisdictions page. No external code; works when the site is opened offline. */
(function () {
  "use strict";

  function text(cell) { return (cell && cell.textContent || "").trim(); }

  function sortable(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    Array.prototype.forEach.call(head.cells, function (th, col) {
      th.setAttribute("tabindex", "0");
      function sort() {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        Array.prototype.forEach.call(head.cells, function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = text(a.cells[col]), y = text(b.cells[col]);
          var nx = parseFloat(x), ny = parseFloat(y);
          var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return dir === "ascending" ? r : -r;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  }

  function filterable(table) {
    var wrap = table.closest(".kb-table-wrap") || table;
    var box = wrap.previousElementSibling && wrap.previousElementSibling.querySelector(".kb-filter");
    var count = wrap.previousElementSibling && wrap.previousElementSibling.querySelector(".kb-count");
    var selects = table.querySelectorAll(".kb-filters select");
    var body = table.tBodies[0];
    Array.prototype.forEach.call(selects, function (sel) {
      var col = +sel.getAttribute("data-col");
      var seen = {};
      Array.prototype.forEach.call(body.rows, function (row) { seen[text(row.cells[col])] = true; });
      Object.keys(seen).sort().forEach(function (v) {
        var o = document.createElement("option");
        o.value = v; o.textContent = v === "" ? "(blank)" : v;
        sel.appendChild(o);
      });
    });
    function apply() {
      var q = box ? box.value.trim().toLowerCase() : "";
      var shown = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var ok = !q || row.textContent.toLowerCase().indexOf(q) !== -1;
        Array.prototype.forEach.call(selects, function (sel) {
          if (sel.value !== "" && ok) ok = text(row.cells[+sel.getAttribute("data-col")]) === sel.value;
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown + " of " + body.rows.length + " rows";
    }
    if (box) box.addEventListener("input", apply);
    Array.prototype.forEach.call(selects, function (sel) { sel.addEventListener("change", apply); });
    apply();
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }

  function comparePage(root) {
    var data = window.KB_DATA;
    if (!data) { root.textContent = "The comparison data did not load."; return; }
    var params = new URLSearchParams(window.location.search);
    var chosen = (params.get("j") || "US-NY,US-CA").split(",");
    var type = params.get("type") || "criminal_record_relief";
    var picker = el("fieldset", { "class": "kb-compare-controls" }, [el("legend", {}, ["Jurisdictions"])]);
    data.jurisdictions.forEach(function (j) {
      var box = el("input", { type: "checkbox", value: j.code, name: "j" });
      box.checked = chosen.indexOf(j.code) !== -1;
      picker.appendChild(el("label", { "data-name": (j.name + " " + j.code).toLowerCase() }, [box, " " + j.name]));
    });
    // Type to filter the list; Enter ticks the first match.
    var finder = el("input", { type: "search", id: "kb-compare-find", autocomplete: "off",
      placeholder: "Type a name or code, e.g. tex or US-TX" });
    var found = el("span", { "class": "kb-count", "aria-live": "polite" });
    function filterPicker() {
      var q = finder.value.trim().toLowerCase(), shown = 0;
      Array.prototype.forEach.call(picker.querySelectorAll("label"), function (lab) {
        var box = lab.querySelector("input");
        var ok = !q || box.checked || lab.getAttribute("data-name").indexOf(q) !== -1;
        lab.hidden = !ok;
        if (ok && !box.checked) shown += 1;
      });
      found.textContent = q ? shown + " matching" : "";
    }
    finder.addEventListener("input", filterPicker);
    finder.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      e.preventDefault();
      var first = Array.prototype.filter.call(picker.querySelectorAll("label"), function (lab) {
        return !lab.hidden && !lab.querySelector("input").checked;
      })[0];
      if (first) {
        var box = first.querySelector("input");
        box.checked = true;
        box.dispatchEvent(new Event("change", { bubbles: true }));
        finder.value = "";
        filterPicker();
      }
    });
    var typeSel = el("select", { id: "kb-compare-type", "aria-label": "Remedy type" });
    Object.keys(data.types).forEach(function (t) {
      var o = el("option", { value: t }, [data.types[t]]);
      if (t === type) o.selected = true;
      typeSel.appendChild(o);
    });
    var out = el("div", { "class": "kb-table-wrap", id: "kb-compare-result", tabindex: "0", role: "region", "aria-label": "Comparison (scrolls sideways)" });
    root.appendChild(el("p", {}, [el("label", {}, ["Remedy type: ", typeSel])]));
    root.appendChild(el("p", {}, [el("label", { "for": "kb-compare-find" }, ["Find a jurisdiction: "]), finder, " ", found]));
    root.appendChild(picker);
    root.appendChild(out);

    var known = {};
    data.jurisdictions.forEach(function (j) { known[j.code] = true; });
    var selected = chosen.filter(function (c) { return known[c]; });
    picker.addEventListener("change", function (e) {
      var c = e.target.value, i = selected.indexOf(c);
      if (e.target.checked && i === -1) selected.push(c);
      if (!e.target.checked && i !== -1) selected.splice(i, 1);
    });

    function render() {
      var codes = selected.slice();
      var t = typeSel.value;
      var fields = (data.compare_rows && data.compare_rows[t]) ||
        [["available", "Available"], ["law", "Law"]].concat(data.fields[t] || []).concat([["last_verified", "Verified"]]);
      var byJ = {};
      data.remedies.forEach(function (r) {
        if (r.remedy_type === t && codes.indexOf(r.jurisdiction) !== -1) (byJ[r.jurisdiction] = byJ[r.jurisdiction] || []).push(r);
      });
      var names = {};
      data.jurisdictions.forEach(function (j) { names[j.code] = j; });
      var table = el("table", { "class": "kb-side-by-side" });
      var head = el("tr", {}, [el("th", {}, ["Field"])]);
      codes.forEach(function (c) {
        var j = names[c];
        head.appendChild(el("th", { scope: "col" }, [el("a", { href: "../kb/jurisdictions/" + j.folder + "/" }, [j.name])]));
      });
      table.appendChild(el("thead", {}, [head]));
      var body = el("tbody");
      function value(r, key) {
        if (!r) return key === "available" ? "not researched" : "-";
        if (r.display && key in r.display) return r.display[key];
        if (key === "available") return r.available === true ? "yes" : r.available === false ? "no" : "undetermined";
        if (key === "law") return (r.law || []).join("; ");
        if (key === "last_verified") return r.last_verified || "";
        var v = r.fields ? r.fields[key] : undefined;
        return v === undefined ? "" : String(v);
      }
      fields.forEach(function (f) {
        var vals = codes.map(function (c) { var rs = byJ[c] || []; return rs.map(function (r) { return value(r, f[0]); }).join(" / ") || value(null); });
        var differ = ["record", "title", "last_verified"].indexOf(f[0]) === -1 &&
          vals.some(function (v) { return v !== vals[0]; });
        var row = el("tr", differ ? { "class": "kb-diff" } : {}, [el("th", { scope: "row" }, [f[1]])]);
        vals.forEach(function (v) { row.appendChild(el("td", {}, [v])); });
        body.appendChild(row);
      });
      table.appendChild(body);
      out.innerHTML = "";
      out.appendChild(table);
      if (codes.length < 2) out.insertBefore(el("p", {}, ["Choose two or more jurisdictions."]), table);
      scrollHints();
      var url = new URL(window.location.href);
      url.searchParams.set("j", codes.join(","));
      url.searchParams.set("type", t);
      if (window.location.protocol !== "file:") window.history.replaceState(null, "", url.toString());
    }
    picker.addEventListener("change", render);
    typeSel.addEventListener("change", render);
    render();
  }

  // --- every page ------------------------------------------------------------------

  // Quick exit: replaces this page (no Back to it) with a neutral site. Esc does the
  // same, except while search results are open (there Esc closes them).
  var EXIT_URL = "https://www.weather.gov/";
  function quickExit() {
    document.title = "Weather";
    if (document.body) document.body.style.visibility = "hidden";
    window.location.replace(EXIT_URL);
  }
  window.KBQuickExit = { url: EXIT_URL, exit: quickExit };

  function addQuickExit() {
    if (document.querySelector(".kb-quick-exit")) return;
    var btn = el("button", { type: "button", "class": "kb-quick-exit",
      title: "Leave this site now (or press Esc)" }, ["Quick exit"]);
    btn.addEventListener("click", quickExit);
    document.body.insertBefore(btn, document.body.firstChild);
    // Capture phase: decided before the search box sees the key.
    window.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      var results = document.getElementById("kb-search-results");
      if (results && !results.hidden) return;  // the search closes its results first
      var search = document.getElementById("__search");
      if (search && search.checked) return;
      quickExit();
    }, true);
  }

  // Name the search dialog for screen readers (Material leaves it unnamed).
  function nameDialogs() {
    Array.prototype.forEach.call(document.querySelectorAll('[role="dialog"]'), function (d) {
      if (!d.getAttribute("aria-label") && !d.getAttribute("aria-labelledby")) d.setAttribute("aria-label", "Search");
    });
  }

  // "Copy citation" buttons beside statute citations.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = el("textarea", { readonly: "", "aria-hidden": "true" });
    area.value = text; area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }
  function copyButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("button.kb-copy"), function (b) {
      b.hidden = false;
      b.addEventListener("click", function () {
        var label = b.firstChild;
        copyText(b.getAttribute("data-copy")).then(function () {
          label.textContent = "Copied";
          b.setAttribute("data-copied", "1");
          setTimeout(function () { label.textContent = "Copy citation"; }, 2000);
        }, function () { label.textContent = "Copy failed"; });
      });
    });
  }

  // Tables wider than their box: say so above them (the edge shadow shows it too).
  function scrollHints() {
    Array.prototype.forEach.call(document.querySelectorAll(".kb-scroll, .kb-table-wrap"), function (w) {
      var prev = w.previousElementSibling;
      if (prev && prev.classList.contains("kb-scroll-hint")) prev.remove();
      if (w.scrollWidth > w.clientWidth + 2) {
        w.parentNode.insertBefore(el("p", { "class": "kb-scroll-hint" }, ["Scroll the table sideways to see every column →"]), w);
      }
    });
  }

  function init() {
    addQuickExit();
    nameDialogs();
    copyButtons();
    Array.prototype.forEach.call(document.querySelectorAll("table.kb-sortable"), function (t) {
      sortable(t);
      if (t.classList.contains("kb-compare")) filterable(t);
    });
    var root = document.getElementById("kb-compare-app");
    if (root) comparePage(root);
    scrollHints();
    window.addEventListener("resize", scrollHints);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
